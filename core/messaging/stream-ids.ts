/** Stream entry ids `<ms>-<seq>` as clients send them back (a `last_id` to resume from). */

const ENTRY_ID = /^(\d{1,16})-(\d{1,16})$/;

/** Whether `text` is a full entry id that a stream could have given. */
export const isEntryId = (text: string): boolean => {
  const match = ENTRY_ID.exec(text);
  return match !== null && Number.isSafeInteger(Number(match[1])) && Number.isSafeInteger(Number(match[2]));
};

/** Orders two entry ids as the stream does (numerically by ms, then by sequence). */
export const compareEntryIds = (a: string, b: string): number => {
  const [aMs = 0, aSeq = 0] = a.split('-').map(Number);
  const [bMs = 0, bSeq = 0] = b.split('-').map(Number);
  return aMs - bMs || aSeq - bSeq;
};
