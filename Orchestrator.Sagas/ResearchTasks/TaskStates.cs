namespace Orchestrator.Sagas.ResearchTasks;

/// <summary>
/// The names of the task's states, as <c>current_state</c> and <c>research_task_transitions</c> store them and plain
/// SQL reads them: the state machine's own (<see cref="ResearchTaskStateMachine"/>), so renaming a state renames them.
/// </summary>
public static class TaskStates
{
    public const string Submitted = nameof(ResearchTaskStateMachine.Submitted);
    public const string Discovering = nameof(ResearchTaskStateMachine.Discovering);
    public const string AwaitingApproval = nameof(ResearchTaskStateMachine.AwaitingApproval);
    public const string AwaitingPayment = nameof(ResearchTaskStateMachine.AwaitingPayment);
    public const string Paying = nameof(ResearchTaskStateMachine.Paying);
    public const string Retrying = nameof(ResearchTaskStateMachine.Retrying);
    public const string Reporting = nameof(ResearchTaskStateMachine.Reporting);
    public const string Completed = nameof(ResearchTaskStateMachine.Completed);
    public const string Failed = nameof(ResearchTaskStateMachine.Failed);
    public const string Cancelled = nameof(ResearchTaskStateMachine.Cancelled);

    /// <summary>The states a task ends in.</summary>
    public static readonly string[] Final = [Completed, Failed, Cancelled];

    /// <summary>The states of a task at work, in the order it passes them.</summary>
    public static readonly string[] Unfinished = [Submitted, Discovering, AwaitingApproval, AwaitingPayment, Paying, Retrying, Reporting];
}
