// The one HTML escaper of the console. React renders text safely by
// itself; this exists for the few places that take HTML strings, namely
// ECharts tooltip and label formatters. Every value that reaches such a
// formatter goes through escapeHtml, log-derived or not.

const replacements: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
  '`': '&#96;',
};

/** Escapes a value for use as HTML text or inside a quoted attribute. */
export function escapeHtml(value: unknown): string {
  return String(value ?? '').replace(/[&<>"'`]/g, (c) => replacements[c]);
}
