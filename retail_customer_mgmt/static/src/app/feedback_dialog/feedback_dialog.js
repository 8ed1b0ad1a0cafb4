import {Component, onWillStart, useState} from "@odoo/owl";
import {Dialog} from "@web/core/dialog/dialog";
import {_t} from "@web/core/l10n/translation";
import {RPCError} from "@web/core/network/rpc";
import {useService} from "@web/core/utils/hooks";
import {usePos} from "@point_of_sale/app/store/pos_hook";

/**
 * A complaint or other feedback about an order, logged by the cashier: it
 * becomes a feedback ticket of the shop with the order (and its customer)
 * linked, the ticket rules deciding its reference, priority and deadline.
 * The current order is sent to the server first when it was not yet.
 */
export class RetailFeedbackDialog extends Component {
    static template = "retail_customer_mgmt.RetailFeedbackDialog";
    static components = {Dialog};
    static props = {
        order: Object,
        close: Function,
    };

    setup() {
        this.pos = usePos();
        this.notification = useService("notification");
        this.state = useState({
            types: [],
            categories: [],
            feedbackType: "complaint",
            categoryId: "",
            description: "",
            photo: null,
            photoName: "",
            error: "",
            saving: false,
        });
        onWillStart(async () => {
            const options = await this.pos.data.call(
                "pos.order",
                "retail_pos_feedback_options",
                []
            );
            this.state.types = options.types;
            this.state.categories = options.categories;
        });
    }
    get title() {
        return _t("Feedback about %s", this.props.order.pos_reference || this.props.order.name);
    }
    async onPhoto(ev) {
        const file = ev.target.files[0];
        if (!file) {
            this.state.photo = null;
            return;
        }
        const dataUrl = await new Promise((resolve, reject) => {
            const reader = new FileReader();
            reader.onload = () => resolve(reader.result);
            reader.onerror = reject;
            reader.readAsDataURL(file);
        });
        this.state.photo = dataUrl.split(",")[1];
        this.state.photoName = file.name;
    }
    async save() {
        this.state.saving = true;
        this.state.error = "";
        try {
            let order = this.props.order;
            if (typeof order.id !== "number") {
                // the current order: the ticket links the order as the server has it
                await this.pos.syncAllOrders({orders: [order], throw: true});
                order = this.pos.models["pos.order"].find((o) => o.uuid === order.uuid) || order;
            }
            const ticket = await this.pos.data.call("pos.order", "retail_pos_log_feedback", [
                [order.id],
                {
                    feedback_type: this.state.feedbackType,
                    category_id: this.state.categoryId ? parseInt(this.state.categoryId) : false,
                    description: this.state.description,
                    photo: this.state.photo || false,
                    photo_name: this.state.photoName || false,
                },
            ]);
            this.notification.add(_t("Ticket %s created: the team will follow up.", ticket.name), {
                type: "success",
            });
            this.props.close();
        } catch (error) {
            if (error instanceof RPCError && error.data?.message) {
                this.state.error = error.data.message;
                return;
            }
            throw error;
        } finally {
            this.state.saving = false;
        }
    }
}
