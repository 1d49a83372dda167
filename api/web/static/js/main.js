// The chat page: login state, the conversation, the composer, the consult status.

import { ApiError, callApi } from "./api.js";
import { LoginError, completeLogin, currentSession, forgetSession, startLogin } from "./auth.js";
import { Conversation, forgetAnonymousConversation } from "./conversation.js";
import { ConsultStatus, SupportPresence } from "./status.js";
import { Transcript } from "./transcript.js";

const $ = (id) => document.getElementById(id);

const ui = {
  login: $("login-button"),
  logout: $("logout-button"),
  account: $("account-name"),
  notice: $("notice"),
  intro: $("intro"),
  log: $("transcript"),
  typing: $("typing"),
  form: $("composer"),
  message: $("message"),
  send: $("send-button"),
  error: $("composer-error"),
};

// Cards that change what the status panel should show.
const STATUS_CARDS = new Set(["booking", "queue", "cancellation"]);

let conversation = new Conversation(null);
let busy = false;

const transcript = new Transcript(ui.log, {
  onChoice: (button) => choose(button),
  receipt: (orderId) =>
    callApi(`/api/v1/orders/${encodeURIComponent(orderId)}`, { token: conversation.token }),
});

const status = new ConsultStatus(
  { section: $("consult-status"), queue: $("queue-status"), video: $("video-status") },
  { token: () => conversation.token, onExpired: () => expire() },
);

// A person from support: the banner while they hold the conversation, and their replies.
const support = new SupportPresence($("support-status"), {
  fetch: () => conversation.support(),
  onReply: (reply) => showReply(reply),
  onExpired: () => expire(),
});

function showReply(reply) {
  if (transcript.hasReply(reply.id)) return;
  transcript.add({ sender: "support", ...reply });
  conversation.rememberReply({
    sender: "assistant",
    text: reply.text,
    custom: { type: "support_reply", reply_id: reply.id, agent: reply.agent },
  });
  updateIntro();
}

function showNotice(text) {
  ui.notice.textContent = text;
  ui.notice.hidden = !text;
}

function showError(text) {
  ui.error.textContent = text;
  ui.error.hidden = !text;
  if (text) ui.message.setAttribute("aria-invalid", "true");
  else ui.message.removeAttribute("aria-invalid");
}

function updateIntro() {
  ui.intro.hidden = !transcript.isEmpty;
}

async function showAccount() {
  const loggedIn = Boolean(conversation.token);
  ui.login.hidden = loggedIn;
  ui.logout.hidden = !loggedIn;
  ui.account.textContent = "";
  if (!loggedIn) return;
  try {
    const me = await callApi("/api/v1/auth/me", { token: conversation.token });
    ui.account.textContent = `Logged in as ${me.given_name}`;
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) expire();
  }
}

async function showHistory() {
  transcript.clear();
  try {
    const entries = await conversation.history();
    for (const entry of entries) {
      // Buttons answer the latest question only.
      if (entry.sender === "patient") transcript.retireChoices();
      transcript.add(entry);
    }
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) return expire();
    // The API says what went wrong in a patient's words; anything else gets a plain one.
    showNotice(
      error instanceof ApiError ? error.message : "Your earlier messages cannot be shown right now.",
    );
  } finally {
    updateIntro();
  }
}

/** Send text (or a button's payload, shown as its title); resolves with the new messages. */
async function send(text, shownAs = text) {
  if (busy) return null;
  busy = true;
  showError("");
  ui.typing.hidden = false;
  ui.form.setAttribute("aria-busy", "true");
  const pending = transcript.add({ sender: "patient", text: shownAs, pending: true });
  updateIntro();
  try {
    const { anonymous, messages } = await conversation.send(text);
    pending.classList.remove("pending");
    transcript.retireChoices();
    const added = messages.map((entry) => transcript.add(entry));
    conversation.remember(anonymous, [{ sender: "patient", text: shownAs }, ...messages]);
    if (messages.some((m) => STATUS_CARDS.has(m.custom?.type))) status.refresh();
    support.refresh();
    return added;
  } catch (error) {
    pending.remove();
    updateIntro();
    if (error instanceof ApiError && error.status === 401) {
      expire();
    } else {
      showError(`Not sent: ${error instanceof ApiError ? error.explain() : error.message}`);
    }
    return null;
  } finally {
    busy = false;
    ui.typing.hidden = true;
    ui.form.removeAttribute("aria-busy");
  }
}

async function choose(button) {
  const added = await send(button.payload, button.title || button.payload);
  // Keyboard users continue where the answer is: its first button, else the message box.
  const next = added ? transcript.firstChoice(added) : null;
  (next ?? ui.message).focus();
}

function expire() {
  forgetSession();
  conversation = new Conversation(null);
  status.stop();
  transcript.clear();
  support.start();
  showAccount();
  updateIntro();
  showNotice("Your login has expired. Please log in again.");
}

ui.form.addEventListener("submit", async (event) => {
  event.preventDefault();
  // Checked by the API, whose words are shown when it refuses (empty, too long...).
  const added = await send(ui.message.value);
  if (added) {
    ui.message.value = "";
    resizeMessageBox();
  }
  ui.message.focus();
});

ui.message.addEventListener("keydown", (event) => {
  if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
    event.preventDefault();
    ui.form.requestSubmit();
  }
});

function resizeMessageBox() {
  ui.message.style.height = "auto";
  ui.message.style.height = `${Math.min(ui.message.scrollHeight, 160)}px`;
}
ui.message.addEventListener("input", resizeMessageBox);

ui.login.addEventListener("click", async () => {
  ui.login.disabled = true;
  try {
    await startLogin();
  } catch (error) {
    ui.login.disabled = false;
    showNotice(`Logging in is not possible right now. ${error.message}`);
  }
});

ui.logout.addEventListener("click", async () => {
  forgetSession();
  conversation = new Conversation(null);
  status.stop();
  await showAccount();
  await showHistory();
  support.start();
  showNotice("You are logged out.");
  ui.login.focus();
});

async function boot() {
  let justLoggedIn = false;
  try {
    justLoggedIn = Boolean(await completeLogin());
  } catch (error) {
    showNotice(error instanceof LoginError ? error.message : String(error));
  }
  if (justLoggedIn) forgetAnonymousConversation();
  conversation = new Conversation(currentSession());
  await showAccount();
  await showHistory();
  support.start();
  if (conversation.token) status.start();
  if (justLoggedIn) ui.message.focus();
  document.body.dataset.ready = "true";
}

boot();
