/** The report's HTML is built with a tagged template that escapes every interpolation unless it is marked safe. */
import { describe, expect, it } from 'vitest'
import { embedJson, html, trusted } from '../bench/report/html.ts'

describe('html`…`', () => {
  it('escapes text, in content and in attributes', () => {
    const name = `<img src=x onerror="alert('1')">&`
    expect(html`<td title="${name}">${name}</td>`.html).toBe(
      '<td title="&#60;img src=x onerror=&#34;alert(&#39;1&#39;)&#34;&#62;&#38;">&#60;img src=x onerror=&#34;alert(&#39;1&#39;)&#34;&#62;&#38;</td>',
    )
  })

  it('nests: a template inside a template goes in as it is, once escaped', () => {
    const rows = ['a<b', 'c'].map((cell) => html`<li>${cell}</li>`)
    expect(html`<ul>${rows}</ul>`.html).toBe('<ul><li>a&#60;b</li><li>c</li></ul>')
  })

  it('writes nothing for null, undefined and false, and numbers as they are', () => {
    expect(html`[${null}${undefined}${false}${0}${1.5}]`.html).toBe('[01.5]')
  })

  it('passes only what is marked trusted as it is', () => {
    expect(html`<style>${trusted('a > b { color: red }')}</style>`.html).toBe('<style>a > b { color: red }</style>')
    expect(html`<style>${'a > b'}</style>`.html).toBe('<style>a &#62; b</style>')
  })

  it('embeds JSON that cannot close its script tag and parses back to the same value', () => {
    const value = { name: '</script><script>alert(1)</script>', note: '<!-- & \u2028' }
    const embedded = embedJson(value).html
    expect(embedded).not.toMatch(/<|>|&/)
    expect(JSON.parse(embedded)).toEqual(value)
  })
})
