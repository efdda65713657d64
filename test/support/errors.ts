import { expect } from '@jest/globals';

/** Matches a GraphQL error (thrown or answered) whose `extensions.code` is `c`. */
export const code = (c: string) => expect.objectContaining({ extensions: expect.objectContaining({ code: c }) });

/** A GraphQL error answering BAD_USER_INPUT. */
export const badInput = code('BAD_USER_INPUT');
