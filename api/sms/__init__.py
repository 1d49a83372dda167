"""The SMS channel over Twilio: inbound webhook, verified numbers, opt-outs, outbound sends."""
