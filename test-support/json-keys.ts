/**
 * The keys that occur more than once in one object of a JSON text, at any depth. `JSON.parse`
 * keeps the last of them silently, which is how a log parser files a line under the wrong key.
 */
export const repeatedJsonKeys = (text: string): string[] => {
  const repeated: string[] = [];
  const objects: (Set<string> | undefined)[] = [];
  for (let i = 0; i < text.length; i += 1) {
    const char = text[i];
    if (char === '"') {
      let end = i + 1;
      while (text[end] !== '"') end += text[end] === '\\' ? 2 : 1;
      let next = end + 1;
      while (text[next] === ' ') next += 1;
      const keys = objects.at(-1);
      if (keys !== undefined && text[next] === ':') {
        const key = JSON.parse(text.slice(i, end + 1)) as string;
        if (keys.has(key)) repeated.push(key);
        keys.add(key);
      }
      i = end;
    } else if (char === '{') objects.push(new Set());
    else if (char === '[') objects.push(undefined);
    else if (char === '}' || char === ']') objects.pop();
  }
  return repeated;
};
