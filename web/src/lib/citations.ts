/** A piece of an answer: plain text, or a citation "[n]" of source n (1-based). */
export type AnswerPart = { text: string } | { cite: number };

/** Split an answer into text and citations, keeping only numbers that name a real source. */
export function splitCitations(answer: string, sources: number): AnswerPart[] {
  const parts: AnswerPart[] = [];
  let last = 0;
  for (const match of answer.matchAll(/\[(\d+)\]/g)) {
    const n = Number(match[1]);
    if (n < 1 || n > sources) continue;
    const at = match.index ?? 0;
    if (at > last) parts.push({ text: answer.slice(last, at) });
    parts.push({ cite: n });
    last = at + match[0].length;
  }
  if (last < answer.length) parts.push({ text: answer.slice(last) });
  return parts;
}
