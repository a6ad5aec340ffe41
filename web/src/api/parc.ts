/** Queries of one equipment, one client and a client's contracts (équipements, clients & contrats screens). */
import { useQuery } from '@tanstack/react-query';
import { api, unwrap, unwrapPage } from './client';

export function useEquipement(id: number) {
  return useQuery({
    queryKey: ['equipement', id],
    queryFn: () => unwrap(api.GET('/api/v1/equipements/{equipement_id}', { params: { path: { equipement_id: id } } })),
    enabled: id > 0,
  });
}

export function useClient(id: number | null) {
  return useQuery({
    queryKey: ['client', id],
    queryFn: () => unwrap(api.GET('/api/v1/clients/{client_id}', { params: { path: { client_id: id! } } })),
    enabled: id !== null && id > 0,
  });
}

export function useContrats(clientId: number | null) {
  return useQuery({
    queryKey: ['contrats', clientId],
    queryFn: () => unwrapPage(api.GET('/api/v1/contrats/', { params: { query: { client_id: clientId!, sort: '-date_fin', limit: 200 } } })),
    enabled: clientId !== null && clientId > 0,
  });
}

/** The latest interventions of an equipment or a client, for their detail pages. */
export function useRecentInterventions(filter: { equipement_id?: number; client_id?: number }) {
  return useQuery({
    queryKey: ['interventions', 'recent', filter],
    queryFn: () => unwrapPage(api.GET('/api/v1/interventions/', { params: { query: { ...filter, limit: 10, sort: '-date_creation' } } })),
  });
}
