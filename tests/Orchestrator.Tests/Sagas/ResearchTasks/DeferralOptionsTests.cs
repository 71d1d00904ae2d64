namespace Orchestrator.Tests.Sagas.ResearchTasks;

public sealed class DeferralOptionsTests
{
    readonly DeferralOptions _options = new() { DeferralDelay = TimeSpan.FromSeconds(2), DeferralMaxDelay = TimeSpan.FromSeconds(60) };

    [Theory]
    [InlineData(1, 2)]
    [InlineData(2, 4)]
    [InlineData(3, 8)]
    [InlineData(5, 32)]
    [InlineData(6, 60)]
    [InlineData(40, 60)]
    public void The_wait_doubles_with_each_failure_up_to_the_longest(int attempts, double seconds)
    {
        var delay = _options.DelayAfter(attempts);

        Assert.InRange(delay.TotalSeconds, seconds, seconds * 1.25);
    }
}
