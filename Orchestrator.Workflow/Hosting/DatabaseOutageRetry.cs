using System.Data.Common;
using Microsoft.EntityFrameworkCore.Storage;

namespace Orchestrator.Workflow.Hosting;

/// <summary>
/// The step consumers read and write the task's row (its token, the payment permit, the audit trail). When the
/// database is down they fail before any call to a supplier is made; the message is tried again, in process, for
/// about four minutes rather than faulted at once, which the saga would have to treat as a crashed step.
/// Only database failures are retried here: every other outcome of a step is reported by the step itself.
/// </summary>
static class DatabaseOutageRetry
{
    /// <summary>
    /// Endpoints with a retry of their own (their definitions'): the saga's, and the public intake's, named as the bus
    /// names them, from their types.
    /// </summary>
    static readonly string[] OwnRetry =
    [
        KebabCaseEndpointNameFormatter.Instance.Saga<ResearchTaskState>(),
        KebabCaseEndpointNameFormatter.Instance.Consumer<Consumers.TaskSubmittedConsumer>(),
    ];

    public static void Configure(string endpointName, IReceiveEndpointConfigurator endpoint)
    {
        if (OwnRetry.Contains(endpointName))
            return;

        endpoint.UseMessageRetry(r =>
        {
            r.Handle<DbException>();
            r.Handle<DbUpdateException>();
            r.Handle<RetryLimitExceededException>();
            r.Handle<TimeoutException>();
            r.Exponential(15, TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(30), TimeSpan.FromMilliseconds(200));
        });
    }
}
