// The conversation on screen: patient and assistant messages, answer buttons, cards, and
// what a person from support wrote (marked as theirs, by their given name).
// The list is an ARIA live log, so screen readers read each new message as it arrives.

import { renderCard } from "./cards.js";
import { el } from "./dom.js";

const SENDER_LABEL = { patient: "You", assistant: "Assistant" };

export class Transcript {
  /**
   * @param {HTMLElement} log the element with role="log"
   * @param {{onChoice: Function, receipt: Function}} handlers
   */
  constructor(log, { onChoice, receipt }) {
    this.log = log;
    this.onChoice = onChoice;
    this.receipt = receipt;
    // Follow the conversation while the reader is at its end (cards grow when their receipt
    // arrives); someone who scrolled back to read is left where they are.
    this.pinned = true;
    log.addEventListener("scroll", () => {
      this.pinned = log.scrollHeight - log.scrollTop - log.clientHeight < 48;
    });
    new MutationObserver(() => {
      if (this.pinned) log.scrollTop = log.scrollHeight;
    }).observe(log, { childList: true, subtree: true, characterData: true });
  }

  clear() {
    this.log.replaceChildren();
  }

  get isEmpty() {
    return this.log.childElementCount === 0;
  }

  /** Show one message; returns its element. Buttons are live only on the latest answer. */
  add(entry) {
    const sender = entry.sender === "patient" ? "patient" : "assistant";
    const reply = supportReply(entry);
    const message = el(
      "div",
      { class: `message from-${sender}${reply ? " from-support" : ""}` },
      reply
        ? el("span", { class: "sender-label" }, `${reply.agent}, support team`)
        : el("span", { class: "visually-hidden" }, `${SENDER_LABEL[sender]}: `),
    );
    if (reply?.id) message.dataset.replyId = reply.id;
    if (entry.text) message.append(el("p", { class: "bubble" }, entry.text));
    const buttons = Array.isArray(entry.buttons) ? entry.buttons : [];
    if (buttons.length) message.append(this.#choices(buttons));
    if (entry.custom) {
      const card = renderCard(entry.custom, { receipt: this.receipt });
      if (card) message.append(card);
    }
    if (entry.pending) message.classList.add("pending");
    this.log.append(message);
    this.scrollToEnd();
    return message;
  }

  #choices(buttons) {
    const group = el("div", { class: "choices", role: "group", "aria-label": "Answers to choose from" });
    for (const button of buttons) {
      const choice = el("button", { type: "button", class: "choice" }, button.title || button.payload);
      choice.addEventListener("click", () => this.onChoice(button));
      group.append(choice);
    }
    return group;
  }

  /** Whether this support reply is on screen already (from the history or a poll). */
  hasReply(id) {
    return [...this.log.querySelectorAll(".message[data-reply-id]")].some(
      (message) => message.dataset.replyId === id,
    );
  }

  /** Old questions' buttons stop working once the conversation has moved on. */
  retireChoices() {
    for (const choice of this.log.querySelectorAll("button.choice:not([disabled])")) {
      choice.disabled = true;
    }
  }

  /** The first live answer button among these messages, for keyboard users. */
  firstChoice(messages) {
    for (const message of messages) {
      const choice = message.querySelector("button.choice:not([disabled])");
      if (choice) return choice;
    }
    return null;
  }

  scrollToEnd() {
    this.pinned = true;
    this.log.scrollTop = this.log.scrollHeight;
  }
}

/**
 * A support agent's message: from the conversation (the assistant's message with a
 * `support_reply` card) or from GET /api/v1/chat/support (sender "support").
 */
function supportReply(entry) {
  if (entry.sender === "support") return { id: entry.id, agent: entry.agent || "Support" };
  if (entry.custom?.type === "support_reply") {
    return { id: entry.custom.reply_id, agent: entry.custom.agent || "Support" };
  }
  return null;
}
