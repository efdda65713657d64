import type { IscAnswer, IscCall, OperationReads, Stage, UpstreamRequest } from '../types.js';

/** The key of a read: path, query, media type and the experimental header. */
const readKey = (request: UpstreamRequest): string =>
  JSON.stringify([request.path, request.searchParams ?? {}, request.accept ?? '', !!request.experimental]);

const collectionOf = (path: string): string => path.split(/[/?]/, 1)[0];

export function createOperationReads(): OperationReads {
  const reads = new Map<string, { collection: string; answer: Promise<IscAnswer> }>();
  return {
    get: (read) => reads.get(readKey(read))?.answer,
    set: (read, answer) => void reads.set(readKey(read), { collection: collectionOf(read.path), answer }),
    forget(path) {
      const collection = collectionOf(path);
      for (const [key, read] of reads) if (read.collection === collection) reads.delete(key);
    },
    prime(read, body) {
      reads.set(readKey(read), { collection: collectionOf(read.path), answer: Promise.resolve({ status: 200, headers: {}, body, rawLength: 0 }) });
    },
  };
}

/** See OperationReads. Calls outside an operation (no `scope.reads`) pass through. */
export const operationReads: Stage = (call: IscCall, next) => {
  const reads = call.scope.reads;
  if (!reads) return next(call);
  if (call.request.method !== 'GET') {
    reads.forget(call.request.path);
    // Forgotten again once the write settles, also when its outcome is unknown.
    return next(call).finally(() => reads.forget(call.request.path));
  }
  let answer = reads.get(call.request);
  if (!answer) {
    answer = next(call);
    reads.set(call.request, answer);
  }
  return answer;
};
