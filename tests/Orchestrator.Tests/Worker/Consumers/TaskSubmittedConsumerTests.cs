using MassTransit;
using Orchestrator.Contracts;
using Orchestrator.Tests.Sagas.ResearchTasks;

namespace Orchestrator.Tests.Worker.Consumers;

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
    public async Task A_task_without_an_id_faults_to_the_error_queue_and_starts_nothing()
    {
        await _harness.Bus.Bus.Publish(new TaskSubmitted(Guid.Empty, "Tesla", 10, "v", DateTimeOffset.UtcNow));

        Assert.True(await _harness.Bus.Published.Any<Fault<TaskSubmitted>>());
        Assert.False(await _harness.Bus.Published.Any<TaskAccepted>());
        Assert.Empty(_harness.Saga.Created.Select(_ => true));
    }

    [Fact]
    public async Task A_valid_task_is_accepted_with_its_theme_trimmed()
    {
        var taskId = await _harness.SubmitAsync("  Tesla Inc  ", 10, "v");

        Assert.True(await _harness.Bus.Published.Any<TaskAccepted>(m => m.Context.Message.TaskId == taskId));
        Assert.Equal("Tesla Inc", (await _harness.WaitForAsync(taskId, m => m.Discovering)).Theme);
    }
}
