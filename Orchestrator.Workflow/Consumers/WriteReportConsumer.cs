using Orchestrator.Workflow.Analysis;
using Orchestrator.Workflow.Reports;

namespace Orchestrator.Workflow.Consumers;

public sealed class WriteReportConsumer(ResearchAnalyst analyst, ResearchReportWriter writer, TimeProvider clock) : IConsumer<WriteReport>
{
    public Task Consume(ConsumeContext<WriteReport> context)
    {
        var report = context.Message;
        return context.Complete(report.TaskId, async cancellationToken =>
        {
            var summary = await analyst.SummarizeAsync(report, cancellationToken);
            return new ReportWritten(report.TaskId, writer.Write(report, summary, clock.GetUtcNow()));
        });
    }
}
