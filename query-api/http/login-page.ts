import { Router } from 'express';
import { UI_CONTENT_SECURITY_POLICY } from '../../core/security/browser-guard';

/** The login page (AUTH=tokens): a form, no inline script (the UI's CSP holds), the token goes to POST /api/session. */
const LOGIN_HTML = `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Chainscope: log in</title><meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="stylesheet" href="styles.css"></head>
<body>
<main class="login">
<h1>Chainscope</h1>
<form id="login">
<label for="token">API token or JWT of your identity provider (role read or admin)</label>
<input id="token" name="token" type="password" autocomplete="off" required>
<button type="submit">Log in</button>
<p id="login-error" role="alert"></p>
</form>
<p>Create a token with <code>chainscope tokens create --role read --name you</code>.</p>
</main>
<script src="login.js"></script>
</body>
</html>
`;

const LOGIN_JS = `document.getElementById('login').addEventListener('submit', async (event) => {
  event.preventDefault();
  const error = document.getElementById('login-error');
  error.textContent = '';
  const token = document.getElementById('token').value.trim();
  const res = await fetch('api/session', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ token }) });
  if (!res.ok) {
    // the server's reason (unknown token, expired JWT, wrong audience, ...), as text
    const reason = (await res.json().catch(() => ({}))).error;
    error.textContent = res.status === 401 ? 'Not accepted: ' + (reason || 'unknown or revoked token') + '.' : 'Log-in failed (' + res.status + ').';
    return;
  }
  const body = await res.json();
  sessionStorage.setItem('chainscope-csrf', body.csrfToken);
  location.assign('./');
});
`;

export function loginPageRouter(): Router {
  const router = Router();
  router.get('/login', (_req, res) => {
    res.setHeader('Content-Security-Policy', UI_CONTENT_SECURITY_POLICY);
    res.type('html').send(LOGIN_HTML);
  });
  router.get('/login.js', (_req, res) => {
    res.setHeader('Content-Security-Policy', UI_CONTENT_SECURITY_POLICY);
    res.type('application/javascript').send(LOGIN_JS);
  });
  return router;
}
