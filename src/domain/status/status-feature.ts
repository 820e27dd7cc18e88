import { answered, type ChatRegistry } from '../chat/registry.js';
import { unknownPerson } from '../chat/basics.js';
import { STATUS_FLOW } from './status-flow.js';
import { createStatusFlow, type StatusFlowOptions } from './status-conversation.js';
import { myMeasures, renderMyMeasures } from './my-measures.js';
import { STATUS_ACTION_PREFIX } from './status-flow-replies.js';

/** The status report: `/status`, `/mine`, the flow's own buttons (`sf:…`) and the flow itself. */

export function registerStatusFeature(registry: ChatRegistry, options: StatusFlowOptions = {}): void {
  registry
    // The default flow: typed text outside any conversation is answered by it ("nothing in progress").
    .flow(createStatusFlow(options), { isDefault: true })
    .command({ name: 'status', help: 'command.status', menu: true, handle: (ctx) => ctx.runFlow(STATUS_FLOW, { type: 'start' }) })
    .command({
      name: 'mine',
      help: 'command.mine',
      menu: true,
      async handle(ctx) {
        const mine = await myMeasures(ctx.person.contactId);
        return mine ? answered(renderMyMeasures(mine)) : unknownPerson();
      },
    })
    .buttons({ prefix: STATUS_ACTION_PREFIX, handle: (ctx, id) => ctx.runFlow(STATUS_FLOW, { type: 'choice', id }) });
}
