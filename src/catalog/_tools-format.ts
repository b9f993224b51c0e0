/**
 * Renders tool (function) definitions the way OpenAI injects them into the prompt: a TypeScript-like
 * `namespace functions`. The layout is reverse-engineered (hmarr/openai-chat-tokens, gpt-tokenizer) and is
 * exact for simple schemas; OpenAI does not publish it, so treat tool counts as close estimates.
 */

type Json = Record<string, unknown>;

function obj(v: unknown): Json {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : {};
}

function formatType(param: Json, indent: number): string {
  const en = Array.isArray(param['enum']) ? (param['enum'] as unknown[]) : null;
  switch (param['type']) {
    case 'string':
      return en ? en.map((v) => `"${String(v)}"`).join(' | ') : 'string';
    case 'number':
    case 'integer':
      return en ? en.map(String).join(' | ') : 'number';
    case 'boolean':
      return 'boolean';
    case 'null':
      return 'null';
    case 'object':
      return ['{', formatProperties(param, indent + 2), '}'].join('\n');
    case 'array':
      return param['items'] ? `${formatType(obj(param['items']), indent)}[]` : 'any[]';
    default:
      return '';
  }
}

function formatProperties(schema: Json, indent: number): string {
  const required = Array.isArray(schema['required']) ? (schema['required'] as unknown[]) : [];
  const lines: string[] = [];
  for (const [name, p] of Object.entries(obj(schema['properties']))) {
    const param = obj(p);
    if (typeof param['description'] === 'string' && indent < 2) lines.push(`// ${param['description']}`);
    lines.push(`${name}${required.includes(name) ? '' : '?'}: ${formatType(param, indent)},`);
  }
  return lines.map((l) => ' '.repeat(indent) + l).join('\n');
}

/** The prompt text for a list of tools (`{type:'function', function:{...}}` or bare function objects). */
export function formatToolDefinitions(tools: readonly unknown[]): string {
  const lines = ['namespace functions {', ''];
  for (const t of tools) {
    const f = obj(obj(t)['function'] ?? t);
    if (typeof f['description'] === 'string') lines.push(`// ${f['description']}`);
    const params = obj(f['parameters']);
    if (Object.keys(obj(params['properties'])).length > 0) {
      lines.push(`type ${String(f['name'])} = (_: {`, formatProperties(params, 0), '}) => any;');
    } else {
      lines.push(`type ${String(f['name'])} = () => any;`);
    }
    lines.push('');
  }
  lines.push('} // namespace functions');
  return lines.join('\n');
}
