// Customers: one person's contacts and conversations across channels, the agent's note, merge and unmerge.
import { CustomerService } from '../../customers/service';
import { localId, type HandlerDeps, type RouteHandlers } from './deps';

type CustomerRoutes = 'getCustomer' | 'patchCustomer' | 'mergeCustomer' | 'unmergeCustomer';

export const customerRoutes = (d: HandlerDeps): RouteHandlers<CustomerRoutes> => {
  const customers = new CustomerService(d.store, d.events);
  return {
    getCustomer: ({ params }) => customers.get(localId(params.id, 'customer')),
    patchCustomer: ({ params, body }) => customers.setNote(localId(params.id, 'customer'), body.note),
    mergeCustomer: ({ params, body }) =>
      customers.merge(localId(params.id, 'customer'), Number(body.customerId)),
    unmergeCustomer: ({ params, body }) =>
      customers.unmerge(localId(params.id, 'customer'), body.contactIds.map(Number)),
  };
};
