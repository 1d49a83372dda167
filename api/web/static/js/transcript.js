// The conversation on screen: patient and assistant messages, answer buttons, cards.
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
    const message = el(
      "div",
      { class: `message from-${sender}` },
      el("span", { class: "visually-hidden" }, `${SENDER_LABEL[sender]}: `),
    );
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
