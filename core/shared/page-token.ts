/**
 * Opaque page tokens. The payload (a kind and a few string parts) is percent-encoded, so it is
 * ASCII, then hex-encoded: clients cannot read or build tokens by accident, and a token of one
 * kind (projects) is refused where another (templates) is expected.
 */

const Separator = '|';
const HexPairs = /^(?:[0-9a-f]{2})+$/;

export const encodePageToken = (kind: string, parts: readonly string[]): string => {
  const payload = [kind, ...parts].map(encodeURIComponent).join(Separator);
  let token = '';
  for (let index = 0; index < payload.length; index += 1) {
    token += payload.charCodeAt(index).toString(16).padStart(2, '0');
  }
  return token;
};

/** The parts of a token of `kind`, or undefined for anything this module did not encode. */
export const decodePageToken = (kind: string, token: string): string[] | undefined => {
  if (!HexPairs.test(token)) return undefined;
  let payload = '';
  for (let index = 0; index < token.length; index += 2) {
    payload += String.fromCharCode(Number.parseInt(token.slice(index, index + 2), 16));
  }
  try {
    const [tokenKind, ...parts] = payload.split(Separator).map(decodeURIComponent);
    return tokenKind === kind ? parts : undefined;
  } catch {
    return undefined; // malformed percent-encoding
  }
};
