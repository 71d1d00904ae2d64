using MassTransit;
using Orchestrator.Tests.Sagas.ResearchTasks;

namespace Orchestrator.Tests.Workflow.Consumers;

/// <summary>The intake of <see cref="TaskSubmitted"/> from the bus applies the API's rules.</summary>
public sealed class TaskSubmittedConsumerTests : IAsyncLifetime
{
    readonly WorkflowHarness _harness = new();

    public Task InitializeAsync() => _harness.InitializeAsync();

    public Task DisposeAsync() => _harness.DisposeAsync();

    [Theory]
    [InlineData("Tesla", 0, "v", "Budget must be positive")]
    [InlineData("   ", 10, "v", "Theme cannot be empty")]
    [InlineData("Tesla", 10, "", "Voice id cannot be empty")]
    public async Task An_invalid_task_with_an_id_is_recorded_failed_with_the_reason(string theme, int budget, string voiceId, string reason)
    {
        var taskId = await _harness.SubmitAsync(theme, budget, voiceId);

        var task = await _harness.WaitForAsync(taskId, m => m.Failed);

        Assert.Equal(ErrorTypes.WorkflowError, task.ErrorType);
        Assert.Contains(reason, task.ErrorMessage, StringComparison.Ordinal);
        Assert.Null(task.VoiceId);
        Assert.Empty(_harness.Simulators.Ledger.Charges);
    }

    [Fact]
    public async Task A_task_without_an_id_is_dropped_without_a_fault_that_would_copy_its_voice_id()
    {
        await _harness.Bus.Bus.Publish(new TaskSubmitted(Guid.Empty, "Tesla", 10, "secret_voice", DateTimeOffset.UtcNow));

        Assert.True(await _harness.Bus.Consumed.Any<TaskSubmitted>(m => m.Context.Message.TaskId == Guid.Empty));
        Assert.False(await _harness.Bus.Published.Any<Fault<TaskSubmitted>>());
        Assert.False(await _harness.Bus.Published.Any<TaskAccepted>());
        Assert.Null(await _harness.LoadAsync(Guid.Empty));
    }

    [Fact]
    public async Task A_task_id_recorded_already_keeps_its_fields()
    {
        var taskId = await _harness.SubmitAsync("Tesla Inc", 10, ownerId: "alice");
        await _harness.WaitForAsync(taskId, m => m.Completed);

        await _harness.Bus.Bus.Publish(new TaskSubmitted(taskId, "Another theme", 999, "v", DateTimeOffset.UtcNow, "mallory"));
        Assert.True(await _harness.Bus.Consumed.Any<TaskSubmitted>(m => m.Context.Message.OwnerId == "mallory"));

        var task = await _harness.LoadAsync(taskId);
        Assert.Equal(("Tesla Inc", 10L, "bus:alice", "Completed"), (task!.Theme, task.Budget, task.OwnerId, task.CurrentState));
    }

    [Fact]
    public async Task A_task_without_an_owner_id_is_owned_by_the_bus()
    {
        var taskId = await _harness.SubmitAsync("Tesla Inc", 10);

        Assert.Equal("bus", (await _harness.WaitForAsync(taskId, m => m.Completed)).OwnerId);
    }

    [Fact]
    public async Task An_owner_id_that_would_not_fit_its_column_once_namespaced_is_refused_with_the_reason()
    {
        var taskId = await _harness.SubmitAsync("Tesla Inc", 10, ownerId: new string('a', TaskRules.MaxNamespacedOwnerIdLength + 1));

        var task = await _harness.WaitForAsync(taskId, m => m.Failed);
        Assert.Contains($"Owner id must have at most {TaskRules.MaxNamespacedOwnerIdLength} characters", task.ErrorMessage, StringComparison.Ordinal);
        Assert.Equal("bus", task.OwnerId);
    }

    [Fact]
    public async Task A_budget_beyond_32_bits_is_refused_with_the_reason()
    {
        var taskId = await _harness.SubmitAsync("Tesla Inc", 3_000_000_000);

        var task = await _harness.WaitForAsync(taskId, m => m.Failed);
        Assert.Contains("Budget must be at most 2147483647", task.ErrorMessage, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_valid_task_is_accepted_with_its_theme_trimmed()
    {
        var taskId = await _harness.SubmitAsync("  Tesla Inc  ", 10, "v");

        Assert.True(await _harness.Bus.Published.Any<TaskAccepted>(m => m.Context.Message.TaskId == taskId));
        Assert.Equal("Tesla Inc", (await _harness.WaitForAsync(taskId, m => m.Completed)).Theme);
    }
}
