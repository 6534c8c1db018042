import { useState } from 'preact/hooks';
import { ApiError, portalApi, type Me } from '../api.js';
import { href } from '../router.js';
import { ErrorBox } from '../widgets.js';

interface Props {
  readonly onSignedIn: (me: Me) => void;
}

export function SignInPage({ onSignedIn }: Props) {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<ApiError | undefined>(undefined);
  const [busy, setBusy] = useState(false);

  const submit = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      onSignedIn(await portalApi.login(email, password));
    } catch (caught) {
      setError(caught as ApiError);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form class="card auth-card" onSubmit={submit} aria-labelledby="signin-title">
      <h1 id="signin-title">Sign in</h1>
      <p class="muted">Sign in to browse the APIs you may call and to manage your API keys.</p>
      {error !== undefined && <ErrorBox error={error} />}
      <label>
        Email
        <input type="email" name="email" autocomplete="username" required value={email} onInput={(e) => setEmail(e.currentTarget.value)} />
      </label>
      <label>
        Password
        <input type="password" name="password" autocomplete="current-password" required value={password} onInput={(e) => setPassword(e.currentTarget.value)} />
      </label>
      <button type="submit" class="primary" disabled={busy}>
        {busy ? 'Signing in…' : 'Sign in'}
      </button>
      <p class="muted small">
        No account yet? <a href={href('signup')}>Sign up</a>
      </p>
    </form>
  );
}

export function SignUpPage({ onSignedIn, invitation: initialInvitation }: Props & { readonly invitation: string }) {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [invitation, setInvitation] = useState(initialInvitation);
  const [needsInvitation, setNeedsInvitation] = useState(initialInvitation !== '');
  const [error, setError] = useState<ApiError | undefined>(undefined);
  const [busy, setBusy] = useState(false);

  const submit = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      await portalApi.signup(email, password, invitation.trim());
      onSignedIn(await portalApi.login(email, password));
    } catch (caught) {
      const failure = caught as ApiError;
      if (failure.code === 'ERR_PORTAL_SIGNUP_CLOSED') setNeedsInvitation(true);
      setError(failure);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form class="card auth-card" onSubmit={submit} aria-labelledby="signup-title">
      <h1 id="signup-title">Create an account</h1>
      <p class="muted">
        {needsInvitation
          ? 'Sign-up on this portal is by invitation: enter the email you were invited with and the invitation code an administrator gave you.'
          : 'An administrator gives your account the groups that decide which APIs you may call.'}
      </p>
      {error !== undefined && <ErrorBox error={error} />}
      <label>
        Email
        <input type="email" name="email" autocomplete="username" required value={email} onInput={(e) => setEmail(e.currentTarget.value)} />
      </label>
      <label>
        Password
        <input type="password" name="password" autocomplete="new-password" required value={password} onInput={(e) => setPassword(e.currentTarget.value)} />
      </label>
      <label>
        <span>
          Invitation code {needsInvitation ? '' : <span class="muted">(if you were invited)</span>}
        </span>
        <input type="text" name="invitation" autocomplete="off" required={needsInvitation} value={invitation} onInput={(e) => setInvitation(e.currentTarget.value)} />
      </label>
      <button type="submit" class="primary" disabled={busy}>
        {busy ? 'Creating…' : 'Create account'}
      </button>
      <p class="muted small">
        Have an account? <a href={href('signin')}>Sign in</a>
      </p>
    </form>
  );
}
