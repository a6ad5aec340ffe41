/**
 * The month calendar of upcoming preventive occurrences (lib/occurrences.ts): a week grid whose days
 * show the equipment due (a count on a phone), then the same occurrences as a list.
 */
import { Box, Button, Group, List, Paper, Text, Title } from '@mantine/core';
import dayjs from 'dayjs';
import { useState } from 'react';
import type { Planning } from '../api/planning';
import { APP_TIMEZONE, formatDateTime } from '../lib/format';
import { FREQUENCE_LABELS } from '../lib/labels';
import { dayOf, monthBounds, occurrencesBetween, type Occurrence } from '../lib/occurrences';
import { ToneBadge } from './StatutBadge';

const WEEKDAYS = ['Lun.', 'Mar.', 'Mer.', 'Jeu.', 'Ven.', 'Sam.', 'Dim.'];
const SHOWN_PER_DAY = 2;

/** The weeks (Monday first) covering the month, as `YYYY-MM-DD` days, null outside the month. */
function weeksOf(month: string): (string | null)[][] {
  const first = dayjs(`${month}-01`);
  const lead = (first.day() + 6) % 7;
  const days: (string | null)[] = Array.from({ length: lead }, () => null);
  for (let d = 0; d < first.daysInMonth(); d++) days.push(first.add(d, 'day').format('YYYY-MM-DD'));
  while (days.length % 7 !== 0) days.push(null);
  return Array.from({ length: days.length / 7 }, (_, w) => days.slice(w * 7, w * 7 + 7));
}

export function PlanningCalendar({ plannings, equipementName }: { plannings: readonly Planning[]; equipementName: (id: number) => string }) {
  const [month, setMonth] = useState(() => dayjs().tz(APP_TIMEZONE).format('YYYY-MM'));
  const { from, to } = monthBounds(month);
  const occurrences = occurrencesBetween(plannings, from, to);
  const byDay = new Map<string, Occurrence[]>();
  for (const occurrence of occurrences) byDay.set(dayOf(occurrence.date), [...(byDay.get(dayOf(occurrence.date)) ?? []), occurrence]);
  const title = dayjs(`${month}-01`).format('MMMM YYYY');
  const today = dayjs().tz(APP_TIMEZONE).format('YYYY-MM-DD');
  const shift = (months: number) => setMonth(dayjs(`${month}-01`).add(months, 'month').format('YYYY-MM'));

  return (
    <Paper withBorder p="md">
      <Group justify="space-between" mb="sm" wrap="nowrap">
        <Button variant="default" size="xs" onClick={() => shift(-1)} aria-label="Mois précédent">‹</Button>
        <Title order={2} size="h4" tt="capitalize" aria-live="polite">{title}</Title>
        <Button variant="default" size="xs" onClick={() => shift(1)} aria-label="Mois suivant">›</Button>
      </Group>
      <Box component="table" w="100%" style={{ borderCollapse: 'collapse', tableLayout: 'fixed' }} aria-label={`Calendrier des occurrences, ${title}`}>
        <thead>
          <tr>
            {WEEKDAYS.map((day) => (
              <Text component="th" key={day} size="xs" fw={600} c="dimmed" ta="center" py={4} scope="col">{day}</Text>
            ))}
          </tr>
        </thead>
        <tbody>
          {weeksOf(month).map((week, w) => (
            <tr key={w}>
              {week.map((day, d) => {
                const due = day ? (byDay.get(day) ?? []) : [];
                return (
                  <Box component="td" key={d} h={{ base: 48, sm: 84 }} p={4} style={{ verticalAlign: 'top', border: '1px solid var(--mantine-color-gray-3)', overflow: 'hidden' }} bg={day === today ? 'blue.0' : undefined}>
                    {day && (
                      <>
                        <Text size="xs" fw={day === today ? 700 : 400} aria-label={dayjs(day).format('dddd D MMMM')}>{Number(day.slice(8))}</Text>
                        {due.length > 0 && (
                          <>
                            <Box hiddenFrom="sm"><ToneBadge color="blue" size="xs">{due.length}</ToneBadge></Box>
                            <Box visibleFrom="sm">
                              {due.slice(0, SHOWN_PER_DAY).map((o) => (
                                <Text key={o.planning.id} size="xs" truncate="end" title={equipementName(o.planning.equipement_id)}>{equipementName(o.planning.equipement_id)}</Text>
                              ))}
                              {due.length > SHOWN_PER_DAY && <Text size="xs" c="dimmed">+ {due.length - SHOWN_PER_DAY} autre{due.length - SHOWN_PER_DAY > 1 ? 's' : ''}</Text>}
                            </Box>
                          </>
                        )}
                      </>
                    )}
                  </Box>
                );
              })}
            </tr>
          ))}
        </tbody>
      </Box>
      <Title order={3} size="h5" mt="md" mb="xs">Occurrences du mois</Title>
      {occurrences.length === 0 ? (
        <Text size="sm" c="dimmed">Aucune occurrence en {title} : aucun planning actif n’arrive à échéance ce mois-ci (les plannings suspendus ne sont pas comptés).</Text>
      ) : (
        <List spacing={4} size="sm" aria-label={`Occurrences de ${title}`}>
          {occurrences.map((o) => (
            <List.Item key={`${o.planning.id}-${o.date.getTime()}`}>
              {formatDateTime(o.date.toISOString())} — {equipementName(o.planning.equipement_id)} ({FREQUENCE_LABELS[o.planning.frequence]})
              {o.next && <> — <Text span size="xs" fw={600}>prochaine génération</Text></>}
            </List.Item>
          ))}
        </List>
      )}
    </Paper>
  );
}
