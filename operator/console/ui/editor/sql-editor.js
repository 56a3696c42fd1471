// The SQL editor of the drafts page: CodeMirror 6 with its SQL language (syntax highlighting,
// bracket matching, undo history), bundled into one script by esbuild when the console first
// serves it (ui/editor-bundle.ts). Progressive enhancement: the page's <textarea> stays the form
// field and is kept in step with the editor, so Validate, Explain, Save and Deploy post exactly
// what is shown; without this script the textarea works as before. Tab moves focus (not trapped),
// the editor is labelled by the page's label, and a validation problem's "line L, column C" link
// puts the cursor there.
/* global document */
import { EditorState } from '@codemirror/state';
import { EditorView, keymap, lineNumbers, highlightActiveLine, drawSelection } from '@codemirror/view';
import { defaultKeymap, history, historyKeymap } from '@codemirror/commands';
import { bracketMatching, syntaxHighlighting, HighlightStyle } from '@codemirror/language';
import { sql, StandardSQL } from '@codemirror/lang-sql';
import { tags } from '@lezer/highlight';

// colours with at least 4.5:1 contrast on white (WCAG AA), like console.css
const highlight = HighlightStyle.define([
  { tag: tags.keyword, color: '#0b4f99', fontWeight: '600' },
  { tag: [tags.string, tags.special(tags.string)], color: '#1d6b35' },
  { tag: [tags.number, tags.bool, tags.null], color: '#8a3b00' },
  { tag: [tags.lineComment, tags.blockComment], color: '#4d5561', fontStyle: 'italic' },
  { tag: [tags.typeName, tags.standard(tags.name)], color: '#6b2c91' },
  { tag: tags.operator, color: '#1b1f24' },
]);

// the editor's frame, like console.css (which does not reach into the shadow root)
const frame = EditorView.theme({
  '&': { border: '1px solid #c9cfd6', backgroundColor: '#fff', color: '#1b1f24' },
  '&.cm-focused': { outline: '3px solid #f0a400', outlineOffset: '2px' },
  '.cm-scroller': { fontFamily: '"DejaVu Sans Mono", monospace', fontSize: '14px', lineHeight: '1.4', minHeight: '18em' },
  '.cm-gutters': { backgroundColor: '#f3f5f7', color: '#4d5561', borderRight: '1px solid #c9cfd6' },
  '.cm-activeLine': { backgroundColor: '#eef3fa' },
});

function enhance(textarea) {
  const label = document.querySelector(`label[for="${textarea.id}"]`);
  const sync = EditorView.updateListener.of((u) => { if (u.docChanged) textarea.value = u.state.doc.toString(); });
  // In a shadow root, CodeMirror's styles go to a constructed style sheet: the console's
  // Content-Security-Policy (style-src 'self') refuses the <style> element it adds to a document.
  const host = document.createElement('div');
  host.className = 'sql-editor-host';
  const shadow = host.attachShadow({ mode: 'open' });
  const view = new EditorView({
    root: shadow,
    parent: shadow,
    state: EditorState.create({
      doc: textarea.value,
      extensions: [
        lineNumbers(), history(), drawSelection(), highlightActiveLine(), bracketMatching(),
        keymap.of([...defaultKeymap, ...historyKeymap]),
        sql({ dialect: StandardSQL, upperCaseKeywords: true }), syntaxHighlighting(highlight), frame,
        EditorView.lineWrapping, sync,
        // named like the textarea was (an id reference cannot cross the shadow root)
        EditorView.contentAttributes.of({ 'aria-multiline': 'true', spellcheck: 'false', 'aria-label': label ? label.textContent : 'SQL script' }),
      ],
    }),
  });
  // the editor now carries the name; the textarea is only the form field
  if (label) {
    label.removeAttribute('for');
    label.addEventListener('click', () => view.focus());
  }
  textarea.hidden = true;
  textarea.after(host);
  host.dataset.testid = 'sql-editor';
  // "line 3, column 19" links of the validation problems: the cursor goes there
  for (const a of document.querySelectorAll('a[data-line]')) {
    a.addEventListener('click', (event) => {
      const line = Number(a.dataset.line);
      if (!line || line > view.state.doc.lines) return;
      event.preventDefault();
      const l = view.state.doc.line(line);
      const pos = Math.min(l.from + Math.max(Number(a.dataset.column || 1) - 1, 0), l.to);
      view.dispatch({ selection: { anchor: pos }, scrollIntoView: true });
      view.focus();
    });
  }
}

document.querySelectorAll('textarea[data-editor="sql"]').forEach(enhance);
