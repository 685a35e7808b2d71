include $(sort $(wildcard $(BR2_EXTERNAL_AWL_PATH)/package/*/*.mk))
