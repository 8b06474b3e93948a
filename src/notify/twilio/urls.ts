/**
 * The public URLs Twilio calls back. Twilio signs the exact URL it requests, so these are built in
 * one place from the public URL and verified against the same public URL on the way in.
 */
export const TWILIO_PATHS = {
  sms: '/integrations/twilio/sms',
  status: '/integrations/twilio/status',
  voice: '/integrations/twilio/voice',
  voiceKeys: '/integrations/twilio/voice/keys',
  voiceNotice: '/integrations/twilio/voice/notice',
} as const;

const base = (publicUrl: string) => publicUrl.replace(/\/+$/, '');

export const statusCallbackUrl = (publicUrl: string) => `${base(publicUrl)}${TWILIO_PATHS.status}`;
export const inboundSmsUrl = (publicUrl: string) => `${base(publicUrl)}${TWILIO_PATHS.sms}`;
/** `more`: how many other alerts a bundled call stands for (the call reads the first). */
export const voiceUrl = (publicUrl: string, alertId: number, code: number, more = 0) => `${base(publicUrl)}${TWILIO_PATHS.voice}?alert=${alertId}&code=${code}${more > 0 ? `&more=${more}` : ''}`;
export const voiceKeysUrl = (publicUrl: string, alertId: number, code: number) => `${base(publicUrl)}${TWILIO_PATHS.voiceKeys}?alert=${alertId}&code=${code}`;
export const voiceNoticeUrl = (publicUrl: string, noticeId: number) => `${base(publicUrl)}${TWILIO_PATHS.voiceNotice}?notice=${noticeId}`;
