using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Orchestrator.Sagas.Persistence.Migrations.SqlServer
{
    /// <inheritdoc />
    public partial class PaymentSettlement : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "stop_requested",
                table: "research_tasks",
                type: "nvarchar(32)",
                maxLength: 32,
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "payment_attempts",
                table: "research_task_purchases",
                type: "int",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.AddColumn<int>(
                name: "settlement_checks",
                table: "research_task_purchases",
                type: "int",
                nullable: false,
                defaultValue: 0);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "stop_requested",
                table: "research_tasks");

            migrationBuilder.DropColumn(
                name: "payment_attempts",
                table: "research_task_purchases");

            migrationBuilder.DropColumn(
                name: "settlement_checks",
                table: "research_task_purchases");
        }
    }
}
