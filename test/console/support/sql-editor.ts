import type { Page } from 'playwright-core';

/**
 * Types into the drafts page's SQL editor. Its script (CodeMirror, bundled when the console first
 * serves it) replaces the page's textarea as soon as it runs, so wait for the editor rather than
 * race it; the textarea stays the form field and follows the editor.
 */
export async function fillSql(page: Page, text: string): Promise<void> {
  const editor = page.getByTestId('sql-editor').locator('.cm-content');
  await editor.waitFor();
  await editor.fill(text);
}
