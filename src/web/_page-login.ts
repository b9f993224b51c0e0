/** GET /login: one field, the person's API token; the server checks it on POST /login and sets the session. */
import { html, type Html } from './_html.js';
import { csrfField, messageBox } from './_layout.js';

/** The sign-in form; `failed` after a rejected token. */
export function loginPage(csrf: string, next: string, failed: boolean): Html {
  return html`<div class="login card">
    <h1>Sign in to Tally</h1>
    ${failed ? messageBox('error', 'That token was not accepted. Check it and try again.') : ''}
    <p class="muted small">
      Use the API token an admin created for you (<code>tally users create</code>). It is sent once to start a
      session and never stored in the browser.
    </p>
    <form class="stack" method="post" action="/login">
      ${csrfField(csrf)}<input type="hidden" name="next" value="${next}" />
      <label for="token">API token</label
      ><input id="token" type="password" name="token" autocomplete="current-password" required autofocus />
      <button type="submit">Sign in</button>
    </form>
  </div>`;
}
