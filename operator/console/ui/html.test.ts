import { html, raw } from './html.ts';

test('interpolated text is escaped, nested fragments and arrays are not escaped twice', () => {
  const name = '<script>alert("x")</script>';
  const row = (n: string) => html`<li>${n}</li>`;
  expect(html`<ul>${[row(name), row("a&b's")]}</ul>`.value).toBe('<ul><li>&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;</li><li>a&amp;b&#39;s</li></ul>');
  expect(html`<p>${undefined}${null}${false}${0}${raw('<b>ok</b>')}</p>`.value).toBe('<p>0<b>ok</b></p>');
});
