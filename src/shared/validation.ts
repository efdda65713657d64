import { badInput } from './errors.js';

/** Locale codes ISC accepts wherever an endpoint takes a `locale` (one rule for the whole gateway). */
export const ISC_LOCALES = [
  'de',
  'no',
  'fi',
  'sv',
  'ru',
  'pt',
  'ko',
  'zh-TW',
  'en',
  'it',
  'fr',
  'zh-CN',
  'hu',
  'es',
  'cs',
  'ja',
  'pl',
  'da',
  'nl',
] as const;
export type IscLocale = (typeof ISC_LOCALES)[number];

const localeSet: ReadonlySet<string> = new Set(ISC_LOCALES);

export function checkLocale(locale: string, argument = 'locale'): IscLocale {
  if (!localeSet.has(locale)) {
    throw badInput(`${argument} "${truncate(locale)}" is not a locale ISC supports (one of ${ISC_LOCALES.join(', ')})`, {
      argument,
    });
  }
  return locale as IscLocale;
}

export function checkOptionalLocale(locale: string | null | undefined, argument = 'locale'): IscLocale | undefined {
  return locale == null ? undefined : checkLocale(locale, argument);
}

// C0 controls and DEL: never meaningful in an ISC identifier or filter value.
// eslint-disable-next-line no-control-regex -- matching control characters is this pattern's purpose
const CONTROL_CHARS = /[\u0000-\u001f\u007f]/;

export function hasControlChars(value: string): boolean {
  return CONTROL_CHARS.test(value);
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Whether a string is well-formed UTF-16 (no lone surrogate), so it can be percent-encoded as sent. */
export function wellFormed(value: string): boolean {
  return !LONE_SURROGATE.test(value);
}

/** Shortens user input quoted back in error messages. */
export function truncate(value: string, max = 60): string {
  return value.length > max ? `${value.slice(0, max)}…` : value;
}
