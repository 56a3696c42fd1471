// The page frame: skip link, header with the signed-in user, navigation landmarks, main region.
// Plain HTML forms and links work with the keyboard and without JavaScript; console.js only adds
// live refresh and in-page validation.
import { html, type Html } from './html.ts';

export interface PageUser { name: string }

export function page(title: string, body: Html, user?: PageUser, flash?: { kind: 'ok' | 'error'; text: string }): string {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} · Millrace console</title>
<link rel="stylesheet" href="/static/console.css">
<script src="/static/console.js" defer></script>
</head>
<body>
<a class="skip" href="#main">Skip to content</a>
<header class="top">
  <span class="brand">Millrace</span>
  ${user ? html`<nav aria-label="Main"><a href="/">Namespaces</a></nav>
  <span class="who">Signed in as <strong data-testid="user-name">${user.name}</strong></span>
  <form method="post" action="/sign-out"><button type="submit">Sign out</button></form>` : ''}
</header>
<main id="main" tabindex="-1">
${flash ? html`<p role="${flash.kind === 'error' ? 'alert' : 'status'}" class="flash ${flash.kind}">${flash.text}</p>` : ''}
<h1>${title}</h1>
${body}
</main>
</body>
</html>`.value;
}
