import { api, type SettingsView } from './api';

/** The server's configuration the views need (GET /api/settings), read once when the page loads. */
let current: SettingsView = { businessKeys: [], expectedWaits: [], stages: [], chainMaxTraces: 0 };

/** Never fails: without an answer the key pickers offer only the key in the URL, and the health badge says the API is down. */
export async function loadSettings(): Promise<void> {
  try {
    current = await api.settings();
  } catch {
    // keep the empty settings
  }
}

/** BUSINESS_KEYS as the server is configured; the first is the default key. */
export function businessKeys(): readonly string[] {
  return current.businessKeys;
}
