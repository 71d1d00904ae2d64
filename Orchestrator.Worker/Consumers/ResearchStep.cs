using MassTransit;
using Orchestrator.Contracts;

namespace Orchestrator.Worker.Consumers;

static class ResearchStep
{
    /// <summary>
    /// Runs one step of a task and publishes its result, or <see cref="ResearchStepFailed"/> when it failed for a
    /// reason the task reports. Anything else faults the message, so MassTransit retries it and keeps it.
    /// </summary>
    public static async Task Complete<TResult>(this ConsumeContext context, Guid taskId, Func<CancellationToken, Task<TResult>> step)
        where TResult : class
    {
        object outcome;
        try
        {
            outcome = await step(context.CancellationToken);
        }
        catch (ResearchStepException e)
        {
            outcome = new ResearchStepFailed(taskId, e.ErrorType, e.Message);
        }

        await context.Publish(outcome, outcome.GetType(), context.CancellationToken);
    }
}
