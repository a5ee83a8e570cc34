/**
 * HTML built with a tagged template that escapes every interpolation by default:
 * html`<td>${name}</td>` is safe whatever `name` holds. Only what is marked safe goes in
 * as it is: the result of another html`…` (so templates nest), and `trusted(…)` for the
 * rare string made safe by other means (the inlined CSS, script and embedded JSON).
 *
 * Written here rather than taken from a package: it is these few lines, and the packages
 * that do it either do not nest or mark the raw case with a special syntax that is easy
 * to use by mistake.
 */

/** A piece of HTML that is safe to insert as it is. */
export class SafeHtml {
  constructor(readonly html: string) {}
  toString(): string {
    return this.html
  }
}

/** What may be interpolated: text (escaped), safe HTML (as is), lists of either (joined), or nothing. */
export type HtmlValue = string | number | SafeHtml | null | undefined | false | readonly HtmlValue[]

export function html(strings: TemplateStringsArray, ...values: HtmlValue[]): SafeHtml {
  let out = strings[0]!
  values.forEach((value, i) => {
    out += render(value) + strings[i + 1]!
  })
  return new SafeHtml(out)
}

/** Marks a string as safe HTML: only for text that cannot hold markup from a run (CSS, script, JSON made safe by embedJson). */
export function trusted(text: string): SafeHtml {
  return new SafeHtml(text)
}

function render(value: HtmlValue): string {
  if (value === null || value === undefined || value === false) return ''
  if (value instanceof SafeHtml) return value.html
  if (Array.isArray(value)) return value.map(render).join('')
  return escapeHtml(String(value))
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`)
}

/** JSON inside a script element: nothing in it may read as "</script>" or a comment opener. */
export function embedJson(value: unknown): SafeHtml {
  return trusted(
    JSON.stringify(value)
      .replace(/</g, '\\u003c')
      .replace(/>/g, '\\u003e')
      .replace(/&/g, '\\u0026')
      .replace(/\u2028/g, '\\u2028')
      .replace(/\u2029/g, '\\u2029'),
  )
}

/** A table that may be wider than the page: it scrolls in its own box, its first column sticky, with a cue. */
export function wide(table: SafeHtml): SafeHtml {
  return html`<div class="wide" tabindex="0" role="region" aria-label="a wide table: scroll sideways">${table}</div>`
}
