using Microsoft.Extensions.Options;
using Orchestrator.Workflow.Admission;

namespace Orchestrator.Tests.Workflow.Admission;

/// <summary>The backlog figure that <c>POST /tasks</c> reads, and its <c>Retry-After</c>.</summary>
public sealed class TaskBacklogTests
{
    static readonly DateTime T0 = new(2026, 11, 25, 12, 0, 0, DateTimeKind.Utc);

    readonly TaskBacklog _backlog = new(Options.Create(new AdmissionOptions { MaxQueuedTasks = 50 }));

    [Fact]
    public void Beyond_the_limit_it_is_overloaded_and_at_the_limit_not()
    {
        _backlog.Record(50, T0);
        Assert.False(_backlog.IsOverloaded);

        _backlog.Record(51, T0.AddSeconds(1));
        Assert.True(_backlog.IsOverloaded);
    }

    [Fact]
    public void Retry_after_is_the_time_the_measured_drain_needs_to_reach_the_limit()
    {
        _backlog.Record(100, T0);
        Assert.Equal(TaskBacklog.UnmeasuredRetryAfter, _backlog.RetryAfter);

        _backlog.Record(90, T0.AddSeconds(1));
        Assert.Equal(10, _backlog.DrainPerSecond);
        Assert.Equal(TimeSpan.FromSeconds(4), _backlog.RetryAfter);

        // A count that saw the backlog grow keeps the measured drain.
        _backlog.Record(95, T0.AddSeconds(2));
        Assert.Equal(10, _backlog.DrainPerSecond);
        Assert.Equal(TimeSpan.FromSeconds(5), _backlog.RetryAfter);
    }

    [Fact]
    public void Retry_after_is_at_most_a_minute()
    {
        _backlog.Record(10_000, T0);
        _backlog.Record(9_999, T0.AddSeconds(1));

        Assert.Equal(TaskBacklog.MaxRetryAfter, _backlog.RetryAfter);
    }
}
