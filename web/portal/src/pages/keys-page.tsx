import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, portalApi, type KeyInfo } from '../api.js';
import { keyring } from '../keyring.js';
import { ErrorBox, formatDate, Notice } from '../widgets.js';

export function KeysPage() {
  const [keys, setKeys] = useState<KeyInfo[] | undefined>(undefined);
  const [error, setError] = useState<ApiError | undefined>(undefined);
  const [name, setName] = useState('');
  const [created, setCreated] = useState<{ name: string; token: string } | undefined>(undefined);
  const [toDelete, setToDelete] = useState<string | undefined>(undefined);
  const [busy, setBusy] = useState(false);

  const reload = () => portalApi.keys().then(setKeys, setError);
  useEffect(() => void reload(), []);

  const act = async (action: () => Promise<unknown>) => {
    setBusy(true);
    setError(undefined);
    try {
      await action();
      await reload();
    } catch (caught) {
      setError(caught as ApiError);
    } finally {
      setBusy(false);
    }
  };

  const create = (event: Event) => {
    event.preventDefault();
    const wanted = name.trim();
    void act(async () => {
      const { token } = await portalApi.createKey(wanted);
      keyring.remember(wanted, token);
      setCreated({ name: wanted, token });
      setName('');
    });
  };

  return (
    <div class="keys-page">
      <h1>API keys</h1>
      <p class="muted">
        Send a key to the gateway as <code>Authorization: Bearer &lt;key&gt;</code>. A key is shown once, when you create it; the portal keeps only a hash. Suspending or deleting a key stops it within a second.
      </p>
      {error !== undefined && <ErrorBox error={error} />}
      <form class="card create-key" onSubmit={create}>
        <label>
          New key name
          <input type="text" name="key-name" required maxLength={64} pattern="[A-Za-z0-9._\-]+" title="letters, digits, dots, dashes or underscores" placeholder="e.g. laptop" value={name} onInput={(e) => setName(e.currentTarget.value)} />
        </label>
        <button type="submit" class="primary" disabled={busy}>
          Create key
        </button>
      </form>
      {keys === undefined ? (
        <div class="loading">Loading your keys…</div>
      ) : keys.length === 0 ? (
        <Notice>You have no keys yet.</Notice>
      ) : (
        <div class="table-wrap">
          <table class="keys">
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Status</th>
                <th scope="col">Created</th>
                <th scope="col">Last used</th>
                <th scope="col">
                  <span class="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {keys.map((key) => (
                <tr key={key.name} data-key={key.name}>
                  <th scope="row" data-label="Name">
                    {key.name}
                  </th>
                  <td data-label="Status">
                    <span class={`status ${key.suspended ? 'suspended' : 'active'}`}>{key.suspended ? 'suspended' : 'active'}</span>
                  </td>
                  <td data-label="Created">{formatDate(key.createdAt)}</td>
                  <td data-label="Last used">{formatDate(key.lastUsedAt)}</td>
                  <td class="actions">
                    <button type="button" disabled={busy} onClick={() => act(() => portalApi.suspendKey(key.name, !key.suspended))}>
                      {key.suspended ? 'Resume' : 'Suspend'}
                    </button>
                    <button type="button" class="danger" disabled={busy} onClick={() => setToDelete(key.name)}>
                      Delete
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {created !== undefined && <CopyOnceDialog name={created.name} token={created.token} onClose={() => setCreated(undefined)} />}
      {toDelete !== undefined && (
        <ConfirmDialog
          title={`Delete the key “${toDelete}”?`}
          body="Calls with this key are refused within a second. This cannot be undone."
          confirm="Delete key"
          onCancel={() => setToDelete(undefined)}
          onConfirm={() => {
            const doomed = toDelete;
            setToDelete(undefined);
            keyring.forget(doomed);
            void act(() => portalApi.deleteKey(doomed));
          }}
        />
      )}
    </div>
  );
}

function useModal(onClose: () => void) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const dialog = ref.current;
    if (dialog === null) return;
    dialog.showModal();
    dialog.addEventListener('close', onClose);
    return () => dialog.removeEventListener('close', onClose);
  }, []);
  return ref;
}

function CopyOnceDialog({ name, token, onClose }: { name: string; token: string; onClose: () => void }) {
  const ref = useModal(onClose);
  const input = useRef<HTMLInputElement>(null);
  const [copied, setCopied] = useState<'no' | 'yes' | 'failed'>('no');

  const copy = async () => {
    try {
      await navigator.clipboard.writeText(token);
      setCopied('yes');
    } catch {
      // No clipboard permission: select the key so the consumer can copy it by hand.
      input.current?.select();
      setCopied(document.execCommand('copy') ? 'yes' : 'failed');
    }
  };

  return (
    <dialog ref={ref} class="dialog" aria-labelledby="created-title">
      <h2 id="created-title">Your new key “{name}”</h2>
      <p>
        <strong>Copy it now: it is shown only this once.</strong> Store it like a password.
      </p>
      <div class="copy-row">
        <input ref={input} class="token" name="token" readOnly value={token} aria-label="API key" onFocus={(e) => e.currentTarget.select()} />
        <button type="button" class="primary" onClick={copy}>
          {copied === 'yes' ? 'Copied' : 'Copy'}
        </button>
      </div>
      {copied === 'failed' && <p class="error-box">The browser refused to copy: select the key and copy it by hand.</p>}
      <p class="muted small">Until you close this tab, the docs' “Try it out” console can use this key.</p>
      <form method="dialog" class="dialog-actions">
        <button type="submit">Done</button>
      </form>
    </dialog>
  );
}

function ConfirmDialog(props: { title: string; body: string; confirm: string; onCancel: () => void; onConfirm: () => void }) {
  const ref = useModal(props.onCancel);
  return (
    <dialog ref={ref} class="dialog" aria-labelledby="confirm-title">
      <h2 id="confirm-title">{props.title}</h2>
      <p>{props.body}</p>
      <div class="dialog-actions">
        <button type="button" onClick={() => ref.current?.close()}>
          Cancel
        </button>
        <button type="button" class="danger" onClick={props.onConfirm}>
          {props.confirm}
        </button>
      </div>
    </dialog>
  );
}
