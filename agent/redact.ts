/** Secret values out of text that leaves the HDA (events, results, log lines): each becomes its placeholder. */
export function redactSecrets(text: string, values: Readonly<Record<string, string>>): string {
  let out = text;
  for (const [name, value] of Object.entries(values)) if (value) out = out.split(value).join(`APP_SECRET_${name}`);
  return out;
}
