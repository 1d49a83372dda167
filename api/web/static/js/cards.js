// Cards for what the assistant did: a booking, a queue place, a cancellation with its
// refund, a renewal or certificate request. The assistant sends these as `custom` data;
// receipts are read live from the API (the order confirmation is the receipt).

import { el, facts } from "./dom.js";
import { day, humanise, money, serviceName, when } from "./format.js";

/**
 * The card for one `custom` payload, or null for kinds that need none.
 * `receipt(orderId)` resolves with GET /api/v1/orders/{id}.
 */
export function renderCard(custom, { receipt }) {
  const render = CARDS[custom?.type];
  return render ? render(custom, receipt) : null;
}

const CARDS = {
  booking: (custom, receipt) => bookingCard(custom.booking ?? {}, receipt),
  queue: (custom, receipt) => queueCard(custom.queue ?? {}, custom.booking ?? {}, receipt),
  cancellation: (custom, receipt) => cancellationCard(custom.booking ?? {}, receipt),
  renewal: (custom, receipt) => renewalCard(custom.renewal ?? {}, receipt),
  certificate: (custom) => certificateCard(custom.certificate ?? {}),
};

function card(kind, title, ...body) {
  const heading = el("h3", { class: "card-title" }, title);
  return el("section", { class: `card card-${kind}`, "aria-label": title }, heading, ...body);
}

function bookingCard(booking, receipt) {
  const title = `Booked: ${serviceName(booking.service).toLowerCase()}`;
  return card(
    "booking",
    title,
    facts([
      ["When", booking.starts_at ? when(booking.starts_at) : "As soon as a doctor is free"],
      ["With", booking.clinician?.name],
      ["Change or cancel until", booking.change_deadline ? when(booking.change_deadline) : ""],
      ["Order", booking.order?.number],
    ]),
    receiptBlock(booking.order?.id, receipt, paidLines),
  );
}

function queueCard(place, booking, receipt) {
  const wait = place.estimated_wait_minutes;
  return card(
    "queue",
    "In the drop-in queue",
    facts([
      ["Your place", place.position ? `Number ${place.position}` : ""],
      ["Estimated wait", wait === null || wait === undefined ? "Not known yet" : `About ${wait} min`],
      ["Order", booking.order?.number],
    ]),
    receiptBlock(booking.order?.id, receipt, paidLines),
  );
}

function cancellationCard(booking, receipt) {
  const what = serviceName(booking.service);
  return card(
    "cancellation",
    "Cancelled",
    facts([
      ["What", what],
      ["Was booked for", booking.starts_at ? when(booking.starts_at) : ""],
      ["Order", booking.order?.number],
    ]),
    booking.order?.id
      ? receiptBlock(booking.order.id, receipt, refundLines)
      : el("p", { class: "receipt" }, "Nothing was paid, so there is nothing to refund."),
  );
}

function renewalCard(renewal, receipt) {
  return card(
    "renewal",
    `Renewal requested: ${renewal.substance ?? "your medicine"}`,
    facts([
      ["Status", humanise(renewal.status)],
      ["Place in the doctors' queue", renewal.queue_position ? `Number ${renewal.queue_position}` : ""],
      ["Answer expected by", renewal.due_at ? when(renewal.due_at) : ""],
    ]),
    renewal.order_id ? receiptBlock(renewal.order_id, receipt, paidLines) : null,
  );
}

function certificateCard(certificate) {
  return card(
    "certificate",
    `Certificate requested: ${humanise(certificate.kind).toLowerCase()}`,
    facts([
      ["Status", humanise(certificate.status)],
      ["Days", certificate.days],
      ["Travel date", certificate.travel_date ? day(certificate.travel_date) : ""],
    ]),
  );
}

/** A receipt section that fills itself in from the API. */
function receiptBlock(orderId, receipt, lines) {
  if (!orderId) return null;
  const block = el("div", { class: "receipt", "aria-busy": "true" }, "Loading the receipt…");
  receipt(orderId).then(
    (order) => {
      block.replaceChildren(el("h4", {}, "Receipt"), facts(lines(order)));
      block.removeAttribute("aria-busy");
    },
    (error) => {
      block.replaceChildren(`The receipt cannot be shown right now: ${error.message}`);
      block.removeAttribute("aria-busy");
    },
  );
  return block;
}

function paidLines(order) {
  return [
    ["List price", money(order.list_price_ore)],
    ["Covered by insurance", order.insurance_cover_ore ? money(order.insurance_cover_ore) : ""],
    ["Paid", money(order.total_ore)],
    ["Refunded", order.refunded_ore ? money(order.refunded_ore) : ""],
  ];
}

function refundLines(order) {
  let refund;
  if (order.refunded_ore) {
    refund = `${money(order.refunded_ore)}, back in your account within ${order.refund_settles_within_business_days} business days`;
  } else if (order.total_ore) {
    refund = "No refund";
  } else {
    refund = "Nothing was paid";
  }
  return [
    ["Paid", money(order.total_ore)],
    ["Refund", refund],
  ];
}
