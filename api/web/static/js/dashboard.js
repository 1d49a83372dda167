// The support dashboard (/support/dashboard): what the assistant answered, handed over or
// could not answer, per Oslo day and channel, from GET /api/v1/support/metrics.

import { ApiError } from "./api.js";
import { el } from "./dom.js";
import { day, humanise, when } from "./format.js";
import { barChart } from "./plot.js";
import { staffLogin } from "./staff_login.js";

// Support staff's login in this tab; the support inbox keeps it under the same key.
const SUPPORT_SESSION_KEY = "clinic.support-session";
const DEFAULT_DAYS = 7;
const SERIES = [
  { key: "conversations", name: "Conversations", colour: "#0b5cad" },
  { key: "contained", name: "Contained", colour: "#2f8f5b" },
];
const CHANNELS = { chat: "Chat", sms: "SMS" };
// The API's figure names as the page writes them.
const FIGURES = {
  conversations: "Conversations",
  contained: "Contained",
  handed_off: "Handed off",
  abandoned: "Abandoned",
  recontacted: "Re-contact within 24 h",
  escalations: "Sent to 113 or legevakt",
  faq_answers: "FAQ answers",
  unanswered: "Unanswered messages",
};
const REASONS = {
  not_understood: "Not understood",
  no_next_step: "No next step",
};

const $ = (id) => document.getElementById(id);

const ui = {
  rangeForm: $("range-form"),
  from: $("from-day"),
  to: $("to-day"),
  channel: $("channel"),
  rangeError: $("range-error"),
  status: $("figures-status"),
  totals: $("totals"),
  plot: $("plot"),
  days: $("days-table"),
  topics: $("topics-table"),
  unansweredStatus: $("unanswered-status"),
  unanswered: $("unanswered-list"),
  definitions: $("definitions"),
};

const { api, boot } = staffLogin({
  role: "support",
  sessionKey: SUPPORT_SESSION_KEY,
  onLoggedIn: showFigures,
});

function explain(error) {
  return error instanceof ApiError ? error.explain() : String(error);
}

/** A calendar day in Oslo, as YYYY-MM-DD, ``back`` days before today. */
function osloDay(back = 0) {
  const instant = new Date(Date.now() - back * 86_400_000);
  const parts = new Intl.DateTimeFormat("en-CA", {
    timeZone: "Europe/Oslo",
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
  }).formatToParts(instant);
  const part = (type) => parts.find((p) => p.type === type).value;
  return `${part("year")}-${part("month")}-${part("day")}`;
}

/** The range in the address (so a view can be shared), else the last week. */
function initialRange() {
  const params = new URLSearchParams(location.search);
  ui.from.value = params.get("from") ?? osloDay(DEFAULT_DAYS - 1);
  ui.to.value = params.get("to") ?? osloDay(0);
  ui.channel.value = CHANNELS[params.get("channel")] ? params.get("channel") : "";
}

function rangeQuery() {
  const params = new URLSearchParams({ from: ui.from.value, to: ui.to.value });
  if (ui.channel.value) params.set("channel", ui.channel.value);
  return params;
}

function percent(rate) {
  return rate === null || rate === undefined ? "–" : `${Math.round(rate * 100)}%`;
}

function countAndRate(count, rate) {
  return rate === null || rate === undefined ? String(count) : `${count} (${percent(rate)})`;
}

function cell(figure, text) {
  return el("td", { "data-figure": figure }, text);
}

function figureCells(figures, byChannel) {
  const channelCount = (channel) =>
    byChannel[channel] ? String(byChannel[channel].conversations) : "–";
  return [
    cell("conversations", String(figures.conversations)),
    cell("chat", channelCount("chat")),
    cell("sms", channelCount("sms")),
    cell("contained", countAndRate(figures.contained, figures.containment_rate)),
    cell("handed_off", countAndRate(figures.handed_off, figures.handoff_rate)),
    cell("abandoned", countAndRate(figures.abandoned, figures.abandonment_rate)),
    cell("recontacted", countAndRate(figures.recontacted, figures.recontact_rate)),
    cell("emergency", String(figures.escalations.emergency)),
    cell("urgent_care", String(figures.escalations.urgent_care)),
    cell("faq_answers", String(figures.faq_answers)),
    cell("unanswered", String(figures.unanswered)),
  ];
}

function showTotals(total) {
  const pairs = [
    [FIGURES.conversations, String(total.conversations)],
    [FIGURES.contained, countAndRate(total.contained, total.containment_rate)],
    [FIGURES.handed_off, countAndRate(total.handed_off, total.handoff_rate)],
    [FIGURES.abandoned, countAndRate(total.abandoned, total.abandonment_rate)],
    [FIGURES.recontacted, countAndRate(total.recontacted, total.recontact_rate)],
    ["Sent to 113", String(total.escalations.emergency)],
    ["Sent to legevakt", String(total.escalations.urgent_care)],
    [FIGURES.faq_answers, String(total.faq_answers)],
    [FIGURES.unanswered, String(total.unanswered)],
  ];
  ui.totals.replaceChildren(
    ...pairs.flatMap(([term, value]) => [el("dt", {}, term), el("dd", {}, value)]),
  );
}

function showPlot(days) {
  barChart(ui.plot, {
    categories: days.map((d) => ({ key: d.day, label: day(d.day) })),
    series: SERIES.map((s) => ({ ...s, values: days.map((d) => d.total[s.key]) })),
    describe: days
      .map((d) => {
        const { conversations, contained } = d.total;
        return `${day(d.day)}: ${conversations} conversations, ${contained} contained`;
      })
      .join("; "),
  });
}

function showDays(body) {
  const row = (key, heading, figures, byChannel) =>
    el(
      "tr",
      { "data-day": key },
      el("th", { scope: "row" }, heading),
      figureCells(figures, byChannel),
    );
  ui.days.tBodies[0].replaceChildren(
    ...body.days.map((d) => row(d.day, day(d.day), d.total, d.by_channel)),
  );
  ui.days.tFoot.replaceChildren(row("total", "Total", body.total, body.by_channel));
}

function showTopics(topics) {
  const rows = Object.entries(topics).map(([topic, count]) =>
    el(
      "tr",
      { "data-topic": topic },
      el("th", { scope: "row" }, humanise(topic)),
      el("td", {}, String(count)),
    ),
  );
  const none = el("tr", {}, el("td", { colspan: 2 }, "No FAQ answers on these days."));
  ui.topics.tBodies[0].replaceChildren(...(rows.length ? rows : [none]));
}

function messageFacts(message) {
  const reason = REASONS[message.reason] ?? humanise(message.reason);
  return `${when(message.at)} · ${CHANNELS[message.channel]} · ${reason}`;
}

function showUnanswered(body) {
  const shown = body.unanswered.length;
  ui.unansweredStatus.textContent =
    shown === 0
      ? "The assistant understood every message on these days."
      : shown < body.unanswered_total
        ? `The latest ${shown} of ${body.unanswered_total}.`
        : `${shown} in all, latest first.`;
  ui.unanswered.replaceChildren(
    ...body.unanswered.map((message) =>
      el(
        "li",
        { class: "card", "data-reason": message.reason, "data-channel": message.channel },
        el("p", { class: "hint" }, messageFacts(message)),
        el("blockquote", {}, message.text),
      ),
    ),
  );
}

function showDefinitions(definitions) {
  ui.definitions.replaceChildren(
    ...Object.entries(definitions).flatMap(([name, text]) => [
      el("dt", {}, FIGURES[name] ?? humanise(name)),
      el("dd", {}, text),
    ]),
  );
}

async function showFigures() {
  ui.rangeError.hidden = true;
  ui.status.textContent = "Loading…";
  const params = rangeQuery();
  try {
    const body = await api(`/api/v1/support/metrics?${params}`);
    history.replaceState(null, "", `${location.pathname}?${params}`);
    showTotals(body.total);
    showPlot(body.days);
    showDays(body);
    showTopics(body.total.faq_topics);
    showUnanswered(body);
    showDefinitions(body.definitions);
    const which = body.channel ? CHANNELS[body.channel] : "Chat and SMS";
    ui.status.textContent = `${which}, ${day(body.from)} to ${day(body.to)}.`;
    document.body.dataset.shown = params.toString();
  } catch (error) {
    ui.status.textContent = "";
    ui.rangeError.textContent = explain(error);
    ui.rangeError.hidden = false;
  }
}

ui.rangeForm.addEventListener("submit", (event) => {
  event.preventDefault();
  showFigures();
});

initialRange();
boot();
