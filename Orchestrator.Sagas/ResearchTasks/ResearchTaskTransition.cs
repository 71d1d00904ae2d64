namespace Orchestrator.Sagas.ResearchTasks;

/// <summary>One state change of a task, appended when it happens and never updated.</summary>
public class ResearchTaskTransition
{
    public long Id { get; set; }
    public Guid TaskId { get; set; }
    public string FromState { get; set; } = null!;
    public string ToState { get; set; } = null!;
    public string Event { get; set; } = null!;
    public DateTime At { get; set; }
}
