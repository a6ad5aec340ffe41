/**
 * Enrolling a TOTP second factor: a new secret, shown as a QR code of its otpauth:// URI, as the
 * link and as the key to type into the authenticator app, a first code to confirm it, then the
 * 10 recovery codes, shown once.
 */
import { Alert, Anchor, Button, Code, Image, List, Stack, Text, TextInput } from '@mantine/core';
import { useEffect, useState, type FormEvent } from 'react';
import { useMfaConfirm, useMfaEnrol } from '../api/mfa';
import { qrCodeDataUrl } from '../lib/qr';

/** The otpauth:// URI as a QR code, drawn in the browser. */
function OtpauthQrCode({ uri }: { uri: string }) {
  const [src, setSrc] = useState<string | null>(null);
  useEffect(() => {
    let current = true;
    void qrCodeDataUrl(uri).then((url) => current && setSrc(url), () => current && setSrc(null));
    return () => {
      current = false;
    };
  }, [uri]);
  if (!src) return null;
  return <Image src={src} w={200} h={200} alt="QR code à scanner avec l’application d’authentification" data-testid="mfa-qr" />;
}

// Mantine's green title on its light green is 3.8:1 (axe wants 4.5:1 for 14 px bold): the title in the
// text colour, the green background says the rest.
const SUCCESS_TITLE = { title: { color: 'var(--mantine-color-text)' } };

export function MfaEnrolment({ onDone }: { onDone: () => void }) {
  const enrol = useMfaEnrol();
  const confirm = useMfaConfirm();
  const [code, setCode] = useState('');

  if (confirm.data) {
    return (
      <Stack gap="xs">
        <Alert color="green" title="Double authentification activée" styles={SUCCESS_TITLE}>
          Notez ces 10 codes de secours et gardez-les en lieu sûr : chacun remplace une fois le code de l’application si
          vous perdez votre téléphone. Ils ne seront plus affichés.
        </Alert>
        <List aria-label="Codes de secours" spacing={2} styles={{ itemWrapper: { fontFamily: 'monospace' } }}>
          {confirm.data.recovery_codes.map((recovery) => <List.Item key={recovery}>{recovery}</List.Item>)}
        </List>
        <Button onClick={onDone} style={{ alignSelf: 'flex-start' }}>J’ai noté mes codes de secours</Button>
      </Stack>
    );
  }

  if (!enrol.data) {
    return (
      <Stack gap="xs" align="flex-start">
        <Text size="sm">Protégez votre compte par un code à 6 chiffres donné par une application d’authentification (FreeOTP, Google Authenticator, Aegis…).</Text>
        {enrol.error && <Alert color="red" role="alert">{enrol.error.message}</Alert>}
        <Button onClick={() => enrol.mutate()} loading={enrol.isPending}>Activer la double authentification</Button>
      </Stack>
    );
  }

  const submit = (event: FormEvent) => {
    event.preventDefault();
    confirm.mutate(code.trim());
  };
  return (
    <form onSubmit={submit} noValidate>
      <Stack gap="xs">
        <Text size="sm">1. Scannez ce QR code avec votre application d’authentification :</Text>
        <OtpauthQrCode uri={enrol.data.otpauth_uri} />
        <Text size="sm">ou ajoutez un compte avec cette clé (saisie manuelle) :</Text>
        <Code block data-testid="mfa-secret" style={{ wordBreak: 'break-all', whiteSpace: 'pre-wrap' }}>{enrol.data.secret}</Code>
        <Text size="sm">ou ouvrez ce lien sur le téléphone :</Text>
        <Anchor href={enrol.data.otpauth_uri} data-testid="mfa-uri" size="sm" ff="monospace" style={{ wordBreak: 'break-all' }}>{enrol.data.otpauth_uri}</Anchor>
        <Text size="sm">2. Saisissez le code à 6 chiffres qu’elle affiche :</Text>
        {confirm.error && <Alert color="red" role="alert">{confirm.error.message}</Alert>}
        <TextInput label="Code de vérification" inputMode="numeric" autoComplete="one-time-code" maxLength={6} required value={code} onChange={(e) => setCode(e.currentTarget.value)} />
        <Button type="submit" loading={confirm.isPending} disabled={code.trim().length !== 6} style={{ alignSelf: 'flex-start' }}>Confirmer</Button>
      </Stack>
    </form>
  );
}
