using Orchestrator.Api.Progress;

namespace Orchestrator.Tests.Api.Progress;

/// <summary>The in-process fan-out from the bus to the streams of one Api instance.</summary>
public sealed class TaskProgressHubTests
{
    static readonly TimeSpan Short = TimeSpan.FromMilliseconds(100);

    [Fact]
    public async Task Only_the_streams_of_the_changed_task_wake_and_signals_pending_for_one_stream_coalesce()
    {
        var hub = new TaskProgressHub();
        var (watched, other) = (Guid.NewGuid(), Guid.NewGuid());
        using var first = hub.Subscribe(watched);
        using var second = hub.Subscribe(watched);
        using var elsewhere = hub.Subscribe(other);

        hub.Notify(watched);
        hub.Notify(watched);

        Assert.True(await first.WaitAsync(Short, CancellationToken.None));
        Assert.True(await second.WaitAsync(Short, CancellationToken.None));
        Assert.False(await elsewhere.WaitAsync(Short, CancellationToken.None));
        Assert.False(await first.WaitAsync(Short, CancellationToken.None));
    }

    [Fact]
    public void A_closed_stream_is_forgotten()
    {
        var hub = new TaskProgressHub();
        var task = Guid.NewGuid();

        using (hub.Subscribe(task))
            Assert.Equal(1, hub.Count);
        hub.Notify(task);

        Assert.Equal(0, hub.Count);
    }
}
