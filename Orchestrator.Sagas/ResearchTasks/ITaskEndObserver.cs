namespace Orchestrator.Sagas.ResearchTasks;

/// <summary>Told in process when a task that this host moved reached a final state, once that is committed.</summary>
public interface ITaskEndObserver
{
    void TaskEnded();
}
