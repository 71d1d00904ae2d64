using Orchestrator.ServiceDefaults;

namespace Orchestrator.Workflow.Admission;

/// <summary>
/// Runs <see cref="TaskAdmission"/> once the host has started (its bus with it): at once when this process
/// recorded or ended a task (<see cref="AdmissionSignal"/>), else every <see cref="AdmissionOptions.AdmissionPollInterval"/>
/// for what other hosts did. A database or broker outage skips rounds, it never stops them.
/// </summary>
public sealed partial class AdmissionService(
    TaskAdmission admission,
    AdmissionSignal signal,
    IHostApplicationLifetime lifetime,
    IOptions<AdmissionOptions> options,
    TimeProvider clock,
    ILogger<AdmissionService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!await lifetime.WaitForStartAsync(stoppingToken))
            return;

        var poll = options.Value.AdmissionPollInterval;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await admission.AdmitAsync(stoppingToken);
            }
            // A broker or database outage can surface as a cancelled task too: only the host's stopping ends the loop.
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                LogRoundFailed(e);
            }

            await signal.WaitAsync(poll, clock, stoppingToken);
        }
    }

    [LoggerMessage(LogLevel.Warning, "Starting waiting tasks failed; the next round tries again")]
    partial void LogRoundFailed(Exception exception);
}
