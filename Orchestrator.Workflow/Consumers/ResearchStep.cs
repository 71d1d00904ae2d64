namespace Orchestrator.Workflow.Consumers;

static class ResearchStep
{
    /// <summary>
    /// Runs one step of a task and publishes its result; <see cref="ResearchStepDeferred"/> when it failed for now
    /// (a supplier that is down, slow or behind an open circuit: the task tries again later), or
    /// <see cref="ResearchStepFailed"/> when it failed for a reason the task reports (a refusal); nothing when the
    /// step has nothing to report (another delivery of it answers). Anything else faults the message, so MassTransit
    /// retries it and keeps it.
    /// </summary>
    public static async Task Complete<TResult>(this ConsumeContext context, Guid taskId, Func<CancellationToken, Task<TResult?>> step)
        where TResult : class
    {
        object? outcome;
        try
        {
            outcome = await step(context.CancellationToken);
        }
        catch (ResearchStepException e) when (e.Transient)
        {
            outcome = new ResearchStepDeferred(taskId, e.ErrorType, e.Message);
        }
        catch (ResearchStepException e)
        {
            outcome = new ResearchStepFailed(taskId, e.ErrorType, e.Message);
        }

        if (outcome is not null)
            await context.Publish(outcome, outcome.GetType(), context.CancellationToken);
    }
}
