// Sends e-mail through SMTP when SMTP_URL is set; otherwise messages wait in the outbox, where operators can
// read them in the application, and a line in the log says so.
import type { Mailer } from '../app/account-ports.ts';

export function createMailer(options: {
  smtpUrl?: string;
  from: string;
  log: (line: string) => void;
}): Mailer {
  if (!options.smtpUrl)
    return {
      async send(message) {
        options.log(`e-mail to ${message.to} kept in the outbox (no SMTP_URL set): ${message.subject}`);
        return false;
      },
    };
  const smtpUrl = options.smtpUrl;
  let transport: Promise<import('nodemailer').Transporter> | undefined;
  return {
    async send(message) {
      transport ??= import('nodemailer').then((m) => m.createTransport(smtpUrl));
      await (
        await transport
      ).sendMail({ from: options.from, to: message.to, subject: message.subject, text: message.body });
      return true;
    },
  };
}
