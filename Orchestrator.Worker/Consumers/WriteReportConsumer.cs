using MassTransit;
using Orchestrator.Contracts;
using Orchestrator.Worker.Reports;

namespace Orchestrator.Worker.Consumers;

public sealed class WriteReportConsumer(ResearchReportWriter writer) : IConsumer<WriteReport>
{
    public Task Consume(ConsumeContext<WriteReport> context)
    {
        var report = context.Message;
        return context.Complete(report.TaskId, _ => Task.FromResult(new ReportWritten(report.TaskId, writer.Write(report))));
    }
}
