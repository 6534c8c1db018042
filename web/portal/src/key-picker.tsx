import { useEffect, useState } from 'preact/hooks';
import { keyring } from './keyring.js';
import { href } from './router.js';

const PASTE = '\u0000paste';

/**
 * Which key the docs' try-it console sends as `Authorization: Bearer <key>`: one created in this
 * tab, or one the consumer pastes (a key is shown only once, so the portal cannot list values).
 */
export function KeyPicker({ onChange }: { onChange: (key: string | null) => void }) {
  const [names, setNames] = useState(keyring.names());
  const [choice, setChoice] = useState<string>(keyring.selected() ?? (keyring.names().length === 0 ? PASTE : ''));
  const [pasted, setPasted] = useState('');

  useEffect(() => keyring.subscribe(() => setNames(keyring.names())), []);
  useEffect(() => {
    onChange(choice === PASTE ? pasted.trim() || null : choice === '' ? null : (keyring.value(choice) ?? null));
  }, [choice, pasted, names]);

  return (
    <div class="key-picker">
      <label>
        Key for “Try it out”
        <select
          name="try-key"
          value={choice}
          onChange={(e) => {
            const value = e.currentTarget.value;
            setChoice(value);
            if (value !== PASTE) keyring.select(value === '' ? null : value);
          }}
        >
          <option value="">no key</option>
          {names.map((name) => (
            <option key={name} value={name}>
              {name} (created in this tab)
            </option>
          ))}
          <option value={PASTE}>paste a key…</option>
        </select>
      </label>
      {choice === PASTE && (
        <label>
          API key
          <input type="password" name="try-key-value" autocomplete="off" spellcheck={false} placeholder="paste one of your keys" value={pasted} onInput={(e) => setPasted(e.currentTarget.value)} />
        </label>
      )}
      <p class="muted small">
        Requests from the console go to the gateway with <code>Authorization: Bearer &lt;key&gt;</code>. <a href={href('keys')}>Manage your keys</a>
      </p>
    </div>
  );
}
