// The console's shell: the session (login page when there is none), the navigation, the
// theme, and the page the location's hash names (#/topics, #/topics/orders, ...).
import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { call, get, setSession, whenLoggedOut } from './api.js';
import { ErrorBox, Field, html } from './ui.js';
import { Overview } from './pages/overview.js';
import { Topics } from './pages/topics.js';
import { Topic } from './pages/topic.js';
import { Groups, Group } from './pages/groups.js';
import { Agents } from './pages/agents.js';
import { Connectors } from './pages/connectors.js';

const pages = [
  ['overview', 'Overview'],
  ['topics', 'Topics'],
  ['groups', 'Consumer groups'],
  ['agents', 'Agents'],
  ['connectors', 'Connectors'],
];

function route() {
  const parts = location.hash.replace(/^#\/?/, '').split('/').map(decodeURIComponent);
  return { page: parts[0] || 'overview', args: parts.slice(1) };
}

function useRoute() {
  const [r, setR] = useState(route());
  useEffect(() => {
    const changed = () => setR(route());
    addEventListener('hashchange', changed);
    return () => removeEventListener('hashchange', changed);
  }, []);
  return r;
}

function Login({ onLogin, notice, singleSignOn }) {
  const [user, setUser] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  const submit = async (e) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      onLogin(await call('POST', '/v1/session', { user, password }));
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return html`<main class="login">
    <form onSubmit=${submit} aria-labelledby="login-title">
      <h1 id="login-title">Brook</h1>
      ${notice && html`<p class="notice" role="status">${notice}</p>`}
      <${Field} label="User name">
        <input name="user" autocomplete="username" required value=${user}
          onInput=${(e) => setUser(e.target.value)} /><//>
      <${Field} label="Password">
        <input name="password" type="password" autocomplete="current-password" required
          value=${password} onInput=${(e) => setPassword(e.target.value)} /><//>
      <${ErrorBox} error=${error} />
      <button type="submit" class="primary" disabled=${busy}>Log in</button>
      ${singleSignOn && html`<p class="or">or</p>
        <a class="button" href="/v1/session/oidc">Log in with single sign-on</a>`}
    </form>
  </main>`;
}

function ThemeToggle() {
  const [theme, setTheme] = useState(localStorage.getItem('brook-theme') || 'auto');
  useEffect(() => {
    document.documentElement.dataset.theme = theme;
    localStorage.setItem('brook-theme', theme);
  }, [theme]);
  const next = { auto: 'dark', dark: 'light', light: 'auto' }[theme];
  return html`<button type="button" class="theme" onClick=${() => setTheme(next)}
    aria-label=${'Theme: ' + theme + ' (switch to ' + next + ')'}>Theme: ${theme}</button>`;
}

function Shell({ session, onLogout }) {
  const { page, args } = useRoute();
  const logout = async () => {
    try {
      await call('DELETE', '/v1/session');
    } finally {
      onLogout();
    }
  };
  let content;
  if (page === 'topics' && args.length) content = html`<${Topic} name=${args[0]} tab=${args[1]} />`;
  else if (page === 'topics') content = html`<${Topics} />`;
  else if (page === 'groups' && args.length) content = html`<${Group} name=${args[0]} />`;
  else if (page === 'groups') content = html`<${Groups} />`;
  else if (page === 'agents') content = html`<${Agents} />`;
  else if (page === 'connectors') content = html`<${Connectors} />`;
  else content = html`<${Overview} />`;
  return html`<div class="shell">
    <header>
      <a class="brand" href="#/overview">Brook</a>
      <nav aria-label="Pages">
        ${pages.map(([id, title]) => html`<a href=${'#/' + id}
          aria-current=${page === id ? 'page' : undefined}>${title}</a>`)}
      </nav>
      <div class="who">
        <span class="principal" title="Logged in as">${session.principal}</span>
        <${ThemeToggle} />
        ${session.authentication === 'required' &&
          html`<button type="button" onClick=${logout}>Log out</button>`}
      </div>
    </header>
    <main id="main">${content}</main>
  </div>`;
}

function App() {
  const [session, setState] = useState(undefined);
  const [sso, setSso] = useState(false);
  // A failed single sign-on comes back as /ui?login_error=...: shown once, then dropped.
  const [notice, setNotice] = useState(() => {
    const error = new URLSearchParams(location.search).get('login_error');
    if (error) history.replaceState(null, '', location.pathname + location.hash);
    return error ? 'Single sign-on failed: ' + error : null;
  });
  const use = (s) => {
    setSession(s && s.logged_in ? s : null);
    setState(s && s.logged_in ? s : null);
  };
  useEffect(() => {
    whenLoggedOut(() => {
      setNotice('Your session has ended: log in again.');
      use(null);
    });
    get('/v1/session').then((s) => { setSso(!!s.single_sign_on); use(s); }, () => use(null));
  }, []);
  if (session === undefined) return html`<p class="loading">Loading…</p>`;
  if (!session) {
    return html`<${Login} notice=${notice} singleSignOn=${sso}
      onLogin=${(s) => { setNotice(null); use(s); }} />`;
  }
  return html`<${Shell} session=${session} onLogout=${() => use(null)} />`;
}

document.documentElement.dataset.theme = localStorage.getItem('brook-theme') || 'auto';
render(html`<${App} />`, document.getElementById('app'));
