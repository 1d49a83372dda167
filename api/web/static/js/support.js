// The support inbox (/support): conversations the assistant handed over, one ticket's
// conversation (clinical parts withheld by the API), taking it from the assistant, replying
// where the patient wrote, handing it back, refunds for technical failure, closing.

import { ApiError } from "./api.js";
import { el, facts } from "./dom.js";
import { humanise, money, serviceName, when } from "./format.js";
import { staffLogin } from "./staff_login.js";

const SESSION_KEY = "clinic.support-session";
const LIST_POLL_MS = 15_000;
// While a ticket is open on screen its conversation is re-read this often.
const TICKET_POLL_MS = 4_000;

const $ = (id) => document.getElementById(id);

const ui = {
  filters: [...document.querySelectorAll(".inbox-filters [data-status]")],
  refresh: $("refresh-button"),
  ticketsStatus: $("tickets-status"),
  tickets: $("ticket-list"),
  panel: $("ticket-panel"),
  title: $("ticket-title"),
  flag: $("ticket-flag"),
  facts: $("ticket-facts"),
  take: $("take-button"),
  handBack: $("hand-back-button"),
  close: $("close-button"),
  ticketStatus: $("ticket-status"),
  transcript: $("staff-transcript"),
  replyForm: $("reply-form"),
  replyText: $("reply-text"),
  replyButton: $("reply-button"),
  replyStatus: $("reply-status"),
  replies: $("reply-list"),
  bookingsStatus: $("bookings-status"),
  bookings: $("booking-list"),
  payments: $("payment-list"),
};

const REASONS = {
  asked_for_human: "Asked for a person",
  not_understood: "Not understood twice",
  complaint: "Complaint",
  technical_problem: "Technical problem",
};
const SENDERS = { patient: "Patient", assistant: "Assistant", support: "Support", withheld: "" };
const DELIVERY = {
  chat: "Shown in the patient's chat.",
  sms_sent: "Sent by text message to the patient's phone.",
  sms_not_sent: "Not sent by text message",
};

let filter = "";
let current = null; // the ticket on screen (its detail)
let shownId = null; // whose bookings and refund outcomes are on screen
let listTimer = null;
let ticketTimer = null;
// One key per composed reply: a retry after a lost answer is not sent twice.
let replyKey = null;

const { token, api, boot } = staffLogin({
  role: "support",
  sessionKey: SESSION_KEY,
  onLoggedIn: showTickets,
  onLoggedOut() {
    for (const timer of [listTimer, ticketTimer]) if (timer !== null) clearTimeout(timer);
    listTimer = ticketTimer = null;
    current = shownId = null;
    ui.panel.hidden = true;
  },
});

function explain(error) {
  return error instanceof ApiError ? error.explain() : String(error);
}

function waited(minutes) {
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  return `${hours} h ${minutes % 60} min`;
}

function who(ticket) {
  return ticket.patient?.name ?? "Anonymous";
}

function stateText(ticket) {
  if (ticket.status === "held") return ticket.held_by_you ? "Held by you" : `Held by ${ticket.held_by?.name}`;
  return ticket.status === "open" ? "Waiting" : "Closed";
}

function flagText(ticket) {
  const at = ticket.flagged_at ? ` (${when(ticket.flagged_at)})` : "";
  if (ticket.safety_flag === "emergency") {
    return `Emergency${at}: the patient wrote something the safety net reads as an emergency. They were told at once to call 113.`;
  }
  if (ticket.safety_flag === "urgent") {
    return `Urgent${at}: the patient wrote something the safety net reads as urgent. They were told at once to call legevakt on 116 117.`;
  }
  return "";
}

// -- the list ---------------------------------------------------------------------------

function ticketItem(ticket) {
  const open = el("button", { type: "button", class: "button" }, "Open");
  open.addEventListener("click", () => openTicket(ticket.id));
  const flagged = Boolean(ticket.safety_flag);
  return el(
    "li",
    {
      class: `card${flagged ? " flagged" : ""}`,
      "data-ticket": ticket.id,
      "aria-current": current?.ticket.id === ticket.id ? "true" : null,
    },
    el("h3", { class: "card-title" }, `${who(ticket)}: ${REASONS[ticket.reason] ?? humanise(ticket.reason)}`),
    flagged ? el("span", { class: "badge" }, humanise(ticket.safety_flag)) : null,
    facts([
      ["Channel", ticket.channel === "sms" ? "Text message" : "Chat"],
      ["Waiting", waited(ticket.age_minutes)],
      ["State", stateText(ticket)],
    ]),
    el("div", { class: "actions" }, open),
  );
}

async function showTickets() {
  if (listTimer !== null) clearTimeout(listTimer);
  listTimer = setTimeout(showTickets, LIST_POLL_MS);
  try {
    const query = filter ? `?status=${encodeURIComponent(filter)}` : "";
    const rows = await api(`/api/v1/support/tickets${query}`);
    ui.tickets.replaceChildren(...rows.map(ticketItem));
    ui.ticketsStatus.textContent = rows.length
      ? `${rows.length} conversation${rows.length === 1 ? "" : "s"}.`
      : "Nothing here.";
  } catch (error) {
    ui.ticketsStatus.textContent = explain(error);
  }
}

for (const button of ui.filters) {
  button.addEventListener("click", () => {
    filter = button.dataset.status;
    for (const other of ui.filters) other.setAttribute("aria-pressed", String(other === button));
    showTickets();
  });
}
ui.refresh.addEventListener("click", () => showTickets());

// -- one ticket -------------------------------------------------------------------------

function transcriptLine(line) {
  const label = line.sender === "support" ? "Support" : SENDERS[line.sender] ?? "";
  return el(
    "li",
    { class: `from-${line.sender}` },
    label ? el("span", { class: "who" }, `${label}${line.sent_at ? `, ${when(line.sent_at)}` : ""}`) : null,
    el("p", { class: "bubble" }, line.text ?? ""),
    line.choices.length ? el("span", { class: "choices-offered" }, `Offered: ${line.choices.join(" · ")}`) : null,
  );
}

function deliveryText(reply) {
  const base = DELIVERY[reply.delivery] ?? humanise(reply.delivery);
  if (reply.delivery !== "sms_not_sent") return base;
  const why = reply.delivery_detail ? ` (${humanise(reply.delivery_detail)})` : "";
  return `${base}${why}: it is in the conversation, which the patient sees in the chat.`;
}

function replyItem(reply) {
  return el(
    "li",
    { class: "card" },
    el("p", { class: "bubble" }, reply.text),
    el("p", { class: "outcome" }, `${reply.agent.name}, ${when(reply.created_at)}. ${deliveryText(reply)}`),
  );
}

async function refund(booking, button, outcome) {
  button.disabled = true;
  outcome.textContent = "Refunding…";
  try {
    const done = await api(`/api/v1/support/appointments/${encodeURIComponent(booking.id)}/refund`, {
      method: "POST",
    });
    outcome.textContent =
      `Refunded ${money(done.amount_ore)} (${humanise(done.reason).toLowerCase()}): it reaches ` +
      `the patient's account within ${done.settles_within_business_days} business days.`;
    await refreshTicket();
  } catch (error) {
    outcome.textContent = `Not refunded: ${explain(error)}`;
    button.disabled = false;
  }
}

function bookingItem(booking) {
  const outcome = el("p", { class: "outcome", role: "status" });
  const button = el(
    "button",
    { type: "button", class: "button" },
    "Refund: technical failure",
  );
  button.addEventListener("click", () => refund(booking, button, outcome));
  return el(
    "li",
    { class: "card", "data-booking": booking.id },
    el("h4", { class: "card-title" }, serviceName(booking.service)),
    facts([
      ["When", booking.starts_at ? when(booking.starts_at) : "Drop-in"],
      ["For", booking.patient_name],
      ["With", booking.clinician],
      ["Status", humanise(booking.status)],
      ["Order", booking.order_number],
      ["Paid", booking.paid_ore ? money(booking.paid_ore) : "Nothing"],
      ["Refunded", booking.refunded_ore ? money(booking.refunded_ore) : null],
    ]),
    booking.refundable ? el("div", { class: "actions" }, button) : null,
    outcome,
  );
}

function paymentItem(payment) {
  return el(
    "li",
    { class: "card" },
    el("h4", { class: "card-title" }, `${payment.what}, order ${payment.number}`),
    facts([
      ["Date", when(payment.created_at)],
      ["Price", money(payment.list_price_ore)],
      ["Insurance", payment.insurance_cover_ore ? money(payment.insurance_cover_ore) : null],
      ["Paid", money(payment.paid_ore)],
      ["Refunded", payment.refunded_ore ? money(payment.refunded_ore) : null],
      ...payment.entries
        .filter((entry) => entry.kind === "refund")
        .map((entry) => ["Refund", `${money(entry.amount_ore)}, ${humanise(entry.reason)}, ${when(entry.created_at)}`]),
    ]),
  );
}

function showTicket(detail) {
  const ticket = detail.ticket;
  const changed = shownId !== ticket.id;
  shownId = ticket.id;
  current = detail;
  ui.panel.hidden = false;
  ui.title.textContent = `${who(ticket)}: ${REASONS[ticket.reason] ?? humanise(ticket.reason)}`;
  const flag = flagText(ticket);
  ui.flag.textContent = flag;
  ui.flag.hidden = !flag;
  ui.facts.replaceChildren(
    ...facts([
      ["State", stateText(ticket)],
      ["Channel", ticket.channel === "sms" ? "Text message" : "Chat"],
      ["Handed over", when(ticket.created_at)],
      ["Waiting", waited(ticket.age_minutes)],
      ["Handed back", ticket.handed_back_at ? when(ticket.handed_back_at) : null],
      ["Closed", ticket.closed_at ? when(ticket.closed_at) : null],
    ]).childNodes,
  );
  ui.take.disabled = ticket.status !== "open";
  ui.handBack.disabled = !ticket.held_by_you;
  ui.close.disabled = ticket.status === "closed" || (ticket.status === "held" && !ticket.held_by_you);
  ui.replyText.disabled = ui.replyButton.disabled = !ticket.held_by_you;
  const lines = detail.transcript.map(transcriptLine);
  if (detail.transcript_source === "handoff") {
    lines.unshift(el("li", { class: "from-withheld" }, el("p", { class: "bubble" }, "The conversation store no longer has this conversation: this is the copy sent with the handoff.")));
  }
  const atEnd = ui.transcript.scrollHeight - ui.transcript.scrollTop - ui.transcript.clientHeight < 48;
  ui.transcript.replaceChildren(...lines);
  if (atEnd || changed) ui.transcript.scrollTop = ui.transcript.scrollHeight;
  ui.replies.replaceChildren(...detail.replies.map(replyItem));
  ui.bookingsStatus.textContent = ticket.patient
    ? detail.bookings.length ? "" : "No bookings."
    : "An anonymous conversation: no bookings or payments to show.";
  // Refund outcomes on screen stay until another ticket is opened.
  if (changed || !ui.bookings.querySelector(".outcome:not(:empty)")) {
    ui.bookings.replaceChildren(...detail.bookings.map(bookingItem));
  }
  ui.payments.replaceChildren(...detail.payments.map(paymentItem));
  for (const item of ui.tickets.querySelectorAll("[data-ticket]")) {
    item.setAttribute("aria-current", String(item.dataset.ticket === ticket.id));
  }
}

async function refreshTicket() {
  if (ticketTimer !== null) clearTimeout(ticketTimer);
  ticketTimer = null;
  if (!current) return;
  try {
    showTicket(await api(`/api/v1/support/tickets/${encodeURIComponent(current.ticket.id)}`));
  } catch (error) {
    ui.ticketStatus.textContent = explain(error);
  }
  if (current && token()) ticketTimer = setTimeout(refreshTicket, TICKET_POLL_MS);
}

async function openTicket(id) {
  if (current?.ticket.id !== id) {
    ui.ticketStatus.textContent = "";
    ui.replyStatus.textContent = "";
    ui.replyText.value = "";
    replyKey = null;
  }
  current = { ticket: { id } };
  await refreshTicket();
}

async function change(what, done) {
  if (!current) return;
  const buttons = [ui.take, ui.handBack, ui.close];
  for (const button of buttons) button.disabled = true;
  ui.ticketStatus.textContent = "";
  try {
    const path = `/api/v1/support/tickets/${encodeURIComponent(current.ticket.id)}/${what}`;
    await api(path, { method: "POST" });
    ui.ticketStatus.textContent = done;
  } catch (error) {
    ui.ticketStatus.textContent = explain(error);
  }
  await refreshTicket();
  showTickets();
}

ui.take.addEventListener("click", () =>
  change("take", "You have the conversation: the assistant is silent until you hand it back."),
);
ui.handBack.addEventListener("click", () =>
  change("hand-back", "Handed back: the assistant answers the patient again."),
);
ui.close.addEventListener("click", () => change("close", "The ticket is closed."));

ui.replyForm.addEventListener("submit", async (event) => {
  event.preventDefault();
  if (!current) return;
  const text = ui.replyText.value.trim();
  if (!text) {
    ui.replyStatus.textContent = "Write a reply first.";
    ui.replyText.focus();
    return;
  }
  replyKey ??= `reply-${crypto.randomUUID()}`;
  ui.replyButton.disabled = true;
  ui.replyStatus.textContent = "Sending…";
  try {
    const path = `/api/v1/support/tickets/${encodeURIComponent(current.ticket.id)}/reply`;
    const reply = await api(path, {
      method: "POST",
      json: { text },
      headers: { "Idempotency-Key": replyKey },
    });
    ui.replyStatus.textContent = `Sent. ${deliveryText(reply)}`;
    ui.replyText.value = "";
    replyKey = null;
  } catch (error) {
    ui.replyStatus.textContent = `Not sent: ${explain(error)}`;
  }
  await refreshTicket();
  ui.replyText.focus();
});

boot();
