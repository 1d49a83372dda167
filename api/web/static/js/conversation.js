// Talking to the assistant through the API's gateway, and the conversation so far.
//
// A logged-in patient's conversation belongs to them: the gateway picks its id from the
// login, and GET /api/v1/chat/history reads it back after a reload. Without a login the
// assistant still answers questions; that conversation's id and messages stay in this tab
// only (sessionStorage), since the API keeps no history for anonymous callers.

import { callApi } from "./api.js";

const ANONYMOUS_KEY = "clinic.anonymous-chat";
const KEEP = 200;

export class Conversation {
  /** @param {{access_token: string} | null} session */
  constructor(session) {
    this.session = session;
  }

  get token() {
    return this.session?.access_token ?? null;
  }

  /** The messages so far, oldest first. */
  async history() {
    if (this.token) {
      const answer = await callApi("/api/v1/chat/history", { token: this.token });
      return answer.messages;
    }
    return this.#anonymous().messages;
  }

  /**
   * Send what the patient typed or the payload of the button they pressed.
   * Resolves with the assistant's messages; rejects with an ApiError.
   */
  async send(text) {
    const json = { text };
    const anonymous = this.token ? null : this.#anonymous();
    if (anonymous?.conversation_id) json.conversation_id = anonymous.conversation_id;
    const answer = await callApi("/api/v1/chat", { method: "POST", json, token: this.token });
    if (anonymous) anonymous.conversation_id = answer.conversation_id;
    return { anonymous, messages: answer.messages.map((m) => ({ sender: "assistant", ...m })) };
  }

  /**
   * Whether a person from support has this conversation, and what they wrote
   * (GET /api/v1/chat/support). Null before an anonymous conversation has begun.
   */
  async support() {
    if (this.token) return callApi("/api/v1/chat/support", { token: this.token });
    const id = this.#anonymous().conversation_id;
    if (!id) return null;
    return callApi(`/api/v1/chat/support?conversation_id=${encodeURIComponent(id)}`);
  }

  /** Keep a support reply that arrived between turns (an anonymous tab keeps its own). */
  rememberReply(entry) {
    if (this.token) return;
    const anonymous = this.#anonymous();
    if (anonymous.conversation_id) this.remember(anonymous, [entry]);
  }

  /** Keep an anonymous exchange for this tab (a logged-in one is kept by the API). */
  remember(anonymous, entries) {
    if (!anonymous) return;
    anonymous.messages = [...anonymous.messages, ...entries].slice(-KEEP);
    sessionStorage.setItem(ANONYMOUS_KEY, JSON.stringify(anonymous));
  }

  #anonymous() {
    try {
      const stored = JSON.parse(sessionStorage.getItem(ANONYMOUS_KEY) ?? "null");
      if (stored && Array.isArray(stored.messages)) return stored;
    } catch {
      // Unreadable: start afresh.
    }
    return { conversation_id: null, messages: [] };
  }
}

export function forgetAnonymousConversation() {
  sessionStorage.removeItem(ANONYMOUS_KEY);
}
