// Keys whose value this tab knows (created here, or pasted on an API's page), for the docs'
// try-it console. Held in memory only: a key is shown once and never written to storage, so it
// is gone when the tab closes.

type Listener = () => void;

const known = new Map<string, string>();
const listeners = new Set<Listener>();
let selected: string | null = null;

export const keyring = {
  remember(name: string, value: string): void {
    known.set(name, value);
    selected = name;
    listeners.forEach((l) => l());
  },
  forget(name: string): void {
    known.delete(name);
    if (selected === name) selected = null;
    listeners.forEach((l) => l());
  },
  names(): string[] {
    return [...known.keys()];
  },
  value(name: string): string | undefined {
    return known.get(name);
  },
  selected(): string | null {
    return selected;
  },
  select(name: string | null): void {
    selected = name;
    listeners.forEach((l) => l());
  },
  subscribe(listener: Listener): () => void {
    listeners.add(listener);
    return () => listeners.delete(listener);
  },
};
